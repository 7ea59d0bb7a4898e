package io.pocketsync.server;

import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bulk path (docs/architecture.md 4.3a) with {@code ./pocketsync device} processes: device A starts tracking a table
 * of {@value #ROWS} rows (one of them over the server's row limit), is killed with SIGKILL mid-push and started again;
 * the sqlite3 shell writes the file while the push goes on; device B holds some of the same natural keys in a table
 * of its own; device R may only read the scope and holds rows too. At the end the server holds every row once, and
 * A, B, a fresh device C and R hold the same rows: B's later install won the shared keys (LWW), R's rows were refused
 * and reverted, and the oversized row was refused on A ({@code ROW_TOO_LARGE}) and never reached the server.
 */
class BulkPushSidecarIT {
    private static final Duration PATIENCE = Duration.ofSeconds(180);
    private static final int ROWS = 40_000;
    private static final String DDL = "CREATE TABLE items (id TEXT PRIMARY KEY, title TEXT, qty INTEGER);";
    private static final String ROWS_OF = "SELECT id, title, qty FROM items WHERE id != 'big' ORDER BY id;";

    @TempDir
    Path dir;
    private final String scope = "bulk-" + UUID.randomUUID();
    private JarProcesses processes;
    private ServerRuntime server;

    @AfterEach
    void stop() throws Exception {
        if (processes != null) {
            processes.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aBulkPushSurvivesKillAndShellWritesAndConvergesWithOtherDevices() throws Exception {
        Path secret = dir.resolve("jwt.secret");
        Files.writeString(secret, "a-jwt-secret-of-at-least-thirty-two-bytes\n");
        Path serverDb = dir.resolve("server.db");
        server = ServerRuntime.start(ServerSettings.of(Map.of(ServerSettings.PORT, "0", ServerSettings.SQLITE_PATH,
                serverDb.toString(), ServerSettings.JWT_SECRET_FILE, secret.toString(), ServerSettings.JWT_AUDIENCE, "bulk-it",
                "server.max-row-bytes", "100000")));
        processes = new JarProcesses(dir);
        String writer = issue(secret, scope + ":rw");
        Path a = dir.resolve("a.db");
        Path b = dir.resolve("b.db");
        Path c = dir.resolve("c.db");
        Path r = dir.resolve("r.db");
        sqlite3(a, DDL + rows("k", 1, ROWS, "from a") + "INSERT INTO items (id, title, qty) VALUES ('big', printf('%.200000c', 'x'), 0);");
        // B shares keys k00001..k01000 with A and has 11,000 of its own; R shares k00001..k00500 and has 11,500
        sqlite3(b, DDL + rows("k", 1, 1_000, "from b") + rows("b", 1, 11_000, "from b"));
        sqlite3(r, DDL + rows("k", 1, 500, "from r") + rows("r", 1, 11_500, "from r"));
        sqlite3(c, DDL);

        Process first = device("a-1", a, writer);
        await().atMost(PATIENCE).until(() -> serverRows(serverDb) >= 10_000);
        first.destroyForcibly().waitFor(); // SIGKILL, wherever it is
        long atKill = serverRows(serverDb);
        assertThat(atKill).as("killed mid-push").isLessThan(ROWS);
        assertThat(processes.log("a-1")).contains("existing rows given ids");

        device("a-2", a, writer);
        await().atMost(PATIENCE).until(() -> serverRows(serverDb) > atKill + 1_000);
        sqlite3(a, "UPDATE items SET title = 'shell edit' WHERE id IN ('k00005', 'k39000'); DELETE FROM items WHERE id = 'k39001';"
                + " INSERT INTO items (id, title, qty) VALUES ('shell-new', 'written by the shell', 1);");
        assertThat(processes.log("a-2")).as("the shell wrote during the bulk push").doesNotContain("bulk: done");
        await().atMost(PATIENCE).until(() -> processes.log("a-2").contains("bulk: done"));
        assertThat(processes.log("a-2")).containsPattern("INFO .*bulk: [\\d,]+ existing rows pushed, [\\d,]+ rows/s, [\\d,]+ left, ETA")
                .containsPattern("WARN .*ROW_TOO_LARGE");

        device("b", b, writer);
        device("c", c, writer);
        device("r", r, issue(secret, scope + ":r"));
        long expected = ROWS + 11_000; // A's keys less one deleted plus one inserted, and B's own
        await().atMost(PATIENCE).until(() -> count(c) == expected && count(b) == expected && count(r) == expected
                && sqlite3(a, ROWS_OF).equals(sqlite3(c, ROWS_OF)) && sqlite3(b, ROWS_OF).equals(sqlite3(c, ROWS_OF))
                && sqlite3(r, ROWS_OF).equals(sqlite3(c, ROWS_OF)));

        assertThat(serverRows(serverDb)).as("every row once on the server").isEqualTo(expected);
        assertThat(sqlite3(c, "SELECT title FROM items WHERE id = 'k00001';")).as("B installed later: LWW").isEqualTo("from b");
        assertThat(sqlite3(c, "SELECT title FROM items WHERE id = 'k39000';")).isEqualTo("shell edit");
        assertThat(sqlite3(c, "SELECT count(*) FROM items WHERE id IN ('k39001', 'big', 'r00001');")).isEqualTo("0");
        assertThat(sqlite3(c, "SELECT count(*) FROM items WHERE id = 'shell-new';")).isEqualTo("1");
        assertThat(sqlite3(a, "SELECT count(*) FROM __pocketsync_changes WHERE state = 'rejected' AND reason LIKE 'ROW_TOO_LARGE%';"))
                .as("refused on A, never sent").isEqualTo("1");
        assertThat(sqlite3(a, "SELECT count(*) FROM items WHERE id = 'big';"))
                .as("the refused row stays in A's file as written (a checksum repair leaves it alone)").isEqualTo("1");
        assertThat(processes.log("r")).contains("SCOPE_READ_ONLY");
    }

    private Process device(String name, Path db, String token) {
        return processes.start(name, Map.of("POCKETSYNC_TOKEN", token), "device", "--db", db.toString(), "--table", "items",
                "--server", server.webSocketUri().toString(), "--scope", scope, "--progress-interval", "500ms");
    }

    /** SQL inserting rows {@code prefix00001}... with a title. */
    private static String rows(String prefix, int from, int to, String title) {
        return " WITH RECURSIVE n(i) AS (SELECT " + from + " UNION ALL SELECT i + 1 FROM n WHERE i < " + to + ")"
                + " INSERT INTO items (id, title, qty) SELECT printf('" + prefix + "%05d', i), '" + title + "', i FROM n;";
    }

    private static long count(Path db) throws Exception {
        return Long.parseLong(sqlite3(db, "SELECT count(*) FROM items;"));
    }

    private static long serverRows(Path serverDb) throws Exception {
        return Long.parseLong(sqlite3(serverDb, "SELECT count(*) FROM ps_rows WHERE deleted = 0;"));
    }

    private static String issue(Path secret, String scope) {
        CliRun issued = CliRun.run("token", "--jwt", "--secret-file", secret.toString(), "--scope", scope, "--audience", "bulk-it",
                "--ttl", "1h");
        assertThat(issued.exitCode()).as(issued.err()).isZero();
        return issued.out().strip();
    }
}
