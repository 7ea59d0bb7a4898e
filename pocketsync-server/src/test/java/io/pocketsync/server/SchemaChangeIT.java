package io.pocketsync.server;

import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ALTER TABLE ... RENAME COLUMN} and {@code DROP COLUMN} on running sidecars, written with the {@code sqlite3}
 * shell. A rename syncs as a dropped column plus an added one: devices not yet renamed keep the new name's values
 * aside and take them when they rename too, sending none of their old values back. A drop goes through {@code pocketsync device --drop-column} (a plain one
 * is refused by SQLite, as the capture triggers name the column); the column is then one this device lacks, and the
 * others keep theirs.
 */
class SchemaChangeIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void renamedAndDroppedColumnsKeepBothDevicesSyncing() throws Exception {
        String scope = "schema-" + UUID.randomUUID();
        ServerSettings settings = ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.TOKENS, scope + ":tok-1"));
        Path phone = dir.resolve("phone.db");
        Path tablet = dir.resolve("tablet.db");
        for (Path db : new Path[] {phone, tablet}) {
            sqlite3(db, "CREATE TABLE note (id TEXT PRIMARY KEY, body TEXT NOT NULL, tag TEXT);");
        }
        try (ServerRuntime server = ServerRuntime.start(settings)) {
            ShutdownSignal phoneStop = new ShutdownSignal();
            ShutdownSignal tabletStop = new ShutdownSignal();
            CompletableFuture<CliRun> phoneRun = sidecar(phoneStop, phone, server, scope);
            CompletableFuture<CliRun> tabletRun = sidecar(tabletStop, tablet, server, scope);
            try {
                awaitTriggers(phone);
                awaitTriggers(tablet);
                sqlite3(phone, "INSERT INTO note (id, body, tag) VALUES ('n1', 'first', 'red');");
                awaitRow(tablet, "SELECT body || '/' || tag FROM note;", "first/red");

                // RENAME on the phone only: its new column travels as an added one, held by the tablet for now
                sqlite3(phone, "ALTER TABLE note RENAME COLUMN tag TO label;");
                sqlite3(phone, "UPDATE note SET label = 'green' WHERE id = 'n1';");
                awaitRow(tablet, "SELECT value FROM __pocketsync_missing_columns WHERE col = 'label';", "green");
                sqlite3(tablet, "UPDATE note SET body = 'second' WHERE id = 'n1';");
                awaitRow(phone, "SELECT body || '/' || label FROM note;", "second/green");
                sqlite3(tablet, "ALTER TABLE note RENAME COLUMN tag TO label;");
                awaitRow(tablet, "SELECT body || '/' || label FROM note;", "second/green");
                // the tablet's rename takes green and sends no old value back: a later write arrives, green stays
                sqlite3(tablet, "UPDATE note SET body = 'renamed' WHERE id = 'n1';");
                awaitRow(phone, "SELECT body || '/' || label FROM note;", "renamed/green");
                awaitRow(tablet, "SELECT body || '/' || label FROM note;", "renamed/green");

                // DROP: refused by SQLite while the triggers name the column; pocketsync device --drop-column does it
                Process plain = new ProcessBuilder("sqlite3", phone.toString(), "ALTER TABLE note DROP COLUMN label;")
                        .redirectErrorStream(true).start();
                String said = new String(plain.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(plain.waitFor(20, TimeUnit.SECONDS)).isTrue();
                assertThat(plain.exitValue()).as(said).isNotZero();
                assertThat(said).contains("pocketsync");
                CliRun drop = CliRun.run("device", "--db", phone.toString(), "--table", "note", "--drop-column", "note.label");
                assertThat(drop.exitCode()).as("stderr: %s", drop.err()).isZero();
                assertThat(sqlite3(phone, "SELECT count(*) FROM pragma_table_info('note') WHERE name = 'label';")).isEqualTo("0");

                sqlite3(tablet, "UPDATE note SET body = 'third', label = 'blue' WHERE id = 'n1';");
                awaitRow(phone, "SELECT body FROM note;", "third");
                sqlite3(phone, "UPDATE note SET body = 'fourth' WHERE id = 'n1';");
                awaitRow(tablet, "SELECT body || '/' || label FROM note;", "fourth/blue");
                assertThat(phoneRun).isNotDone();
                assertThat(tabletRun).isNotDone();
            }
            finally {
                phoneStop.requestStop();
                tabletStop.requestStop();
            }
            assertThat(phoneRun.get(30, TimeUnit.SECONDS).exitCode()).isZero();
            assertThat(tabletRun.get(30, TimeUnit.SECONDS).exitCode()).isZero();
        }
    }

    private static void awaitTriggers(Path db) {
        awaitRow(db, "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'note';", "1");
    }

    private static void awaitRow(Path db, String sql, String expected) {
        await().atMost(WAIT).ignoreExceptions().until(() -> sqlite3(db, sql), expected::equals);
    }

    private static CompletableFuture<CliRun> sidecar(ShutdownSignal signal, Path db, ServerRuntime server, String scope) {
        return CliRun.async(signal, "device", "--db", db.toString(), "--table", "note",
                "--server", server.webSocketUri().toString(), "--scope", scope, "--token", "tok-1");
    }
}
