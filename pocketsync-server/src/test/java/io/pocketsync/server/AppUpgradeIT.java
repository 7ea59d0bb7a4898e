package io.pocketsync.server;

import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An app's life as a user lives it, with {@code ./pocketsync device} sidecars as processes and the {@code sqlite3}
 * shell as the app: an upgrade that adds a column while the sidecar is stopped, two app versions writing one row at
 * once, the other device's upgrade with a write into the new column before the sidecar notices, and changes made
 * while the server cannot be reached, counted in the system tables as they happen.
 */
class AppUpgradeIT {
    private static final Path JAR = Path.of("target", "pocketsync-server.jar");
    private static final String TODO = "CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0);";

    @TempDir
    Path dir;
    private final List<Process> sidecars = new ArrayList<>();

    @AfterEach
    void stopSidecars() throws InterruptedException {
        for (Process sidecar : sidecars) {
            sidecar.destroy();
            sidecar.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void anUpgradeWhileStoppedAndTwoAppVersionsAtOnceLoseNoWrite() throws Exception {
        String scope = "upgrade-" + UUID.randomUUID();
        ServerSettings settings = ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.TOKENS, scope + ":tok-1"));
        Path a = dir.resolve("a.db");
        Path b = dir.resolve("b.db");
        sqlite3(a, TODO);
        sqlite3(b, TODO);
        try (ServerRuntime server = ServerRuntime.start(settings)) {
            URI uri = server.webSocketUri();
            Process sidecarA = sidecar(a, uri, scope, "a");
            sidecar(b, uri, scope, "b");
            awaitStarted("a");
            sqlite3(a, "INSERT INTO todo (id, title) VALUES ('k', 'first');");
            await().atMost(Duration.ofSeconds(30)).until(() -> "first".equals(TestDatabases.title(b, "k")));

            // A's app upgrades while its sidecar is stopped, and writes the new column at once
            sidecarA.destroy();
            assertThat(sidecarA.waitFor(30, TimeUnit.SECONDS)).isTrue();
            sqlite3(a, "ALTER TABLE todo ADD COLUMN note TEXT; UPDATE todo SET note = 'written after the upgrade' WHERE id = 'k';");
            sidecar(a, uri, scope, "a2");

            // B still runs the old version: it edits an old column of the same row, and keeps the new one aside
            await().atMost(Duration.ofSeconds(30)).until(() -> sqlite3(b,
                    "SELECT count(*) FROM __pocketsync_missing_columns WHERE col = 'note';").equals("1"));
            sqlite3(b, "UPDATE todo SET title = 'edited on the old version' WHERE id = 'k';");
            await().atMost(Duration.ofSeconds(30)).until(() -> "edited on the old version".equals(TestDatabases.title(a, "k")));
            assertThat(sqlite3(a, "SELECT note FROM todo WHERE id = 'k';")).as("an image without the column leaves it")
                    .isEqualTo("written after the upgrade");

            // B upgrades with its sidecar running, and writes the new column before the sidecar regenerates its triggers
            sqlite3(b, "ALTER TABLE todo ADD COLUMN note TEXT; UPDATE todo SET note = 'written by b at once' WHERE id = 'k';"
                    + " INSERT INTO todo (id, title, note) VALUES ('n', 'new on b', 'with a note');");
            await().atMost(Duration.ofSeconds(30)).until(() -> sqlite3(a, "SELECT note FROM todo WHERE id = 'k';")
                    .equals("written by b at once") && "new on b".equals(TestDatabases.title(a, "n")));
            assertThat(sqlite3(a, "SELECT note FROM todo WHERE id = 'n';")).isEqualTo("with a note");
            await().atMost(Duration.ofSeconds(30)).until(() -> sqlite3(b, "SELECT count(*) FROM __pocketsync_missing_columns;").equals("0"));
            String everything = "SELECT group_concat(id || '|' || title || '|' || coalesce(note, '-'), ';') FROM (SELECT * FROM todo ORDER BY id);";
            await().atMost(Duration.ofSeconds(30)).until(() -> sqlite3(a, everything).equals(sqlite3(b, everything)));
            for (Path db : List.of(a, b)) {
                assertThat(sqlite3(db, "SELECT count(*) FROM __pocketsync_dead_letter;")).isEqualTo("0");
                assertThat(sqlite3(db, "SELECT count(*) FROM __pocketsync_changes WHERE state = 'rejected';")).isEqualTo("0");
            }
        }
    }

    @Test
    void changesMadeWhileTheServerIsUnreachableAreCountedAtOnce() throws Exception {
        Path db = dir.resolve("offline.db");
        sqlite3(db, TODO);
        // nothing listens on this port: the sidecar keeps trying to connect, backing off
        sidecar(db, URI.create("ws://127.0.0.1:" + TestPorts.freePort() + "/sync"), "offline-" + UUID.randomUUID(), "offline");
        awaitStarted("offline");

        sqlite3(db, "INSERT INTO todo (id, title) VALUES ('1', 'one'), ('2', 'two');");
        awaitPendingAndVersion(db, 2, 2);
        sqlite3(db, "UPDATE todo SET done = 1 WHERE id = '1';");
        awaitPendingAndVersion(db, 3, 3);
        sqlite3(db, "DELETE FROM todo WHERE id = '2';");
        awaitPendingAndVersion(db, 4, 4);
        // writes to one row sealed together are one change (its net effect), but each counts in the table's version
        sqlite3(db, "INSERT INTO todo (id, title) VALUES ('3', 'three'); UPDATE todo SET title = 'THREE' WHERE id = '3';");
        awaitPendingAndVersion(db, 5, 6);
        assertThat(sqlite3(db, "SELECT row_json ->> 'title' FROM __pocketsync_changes ORDER BY seq DESC LIMIT 1;")).isEqualTo("THREE");
    }

    /** Within a second or so: the sidecar seals offline writes at its next poll, not at a reconnect. */
    private static void awaitPendingAndVersion(Path db, int pending, int version) {
        await().atMost(Duration.ofSeconds(10)).until(() -> sqlite3(db,
                "SELECT (SELECT count(*) FROM __pocketsync_changes WHERE state = 'pending') || '/'"
                        + " || (SELECT version FROM __pocketsync_version WHERE tbl = 'todo');").equals(pending + "/" + version));
    }

    private Process sidecar(Path db, URI server, String scope, String name) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-jar", JAR.toString(), "device", "--db", db.toString(), "--table", "todo",
                "--server", server.toString(), "--scope", scope, "--token", "tok-1"))
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        sidecars.add(process);
        return process;
    }

    /** Waits until the sidecar logging to {@code name}.log has installed its capture and runs. */
    private void awaitStarted(String name) {
        Path log = dir.resolve(name + ".log");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(log) && Files.readString(log).contains("Syncing "));
    }
}
