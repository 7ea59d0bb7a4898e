package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.awaitility.Awaitility.await;

import io.pocketsync.device.PocketSyncDevice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pocketsync dead-letters}: an app trigger on the sidecar's file refuses a row another device wrote; the row is
 * parked with the trigger's message while later rows apply; the operator lists it, retries it (still refused),
 * drops the trigger with the {@code sqlite3} shell, retries it again (applied), and gets a coded error for an
 * entry that does not exist.
 */
class DeadLettersCommandIT {
    @TempDir
    Path dir;


    @Test
    void aParkedChangeIsListedRetriedAndApplied() throws Exception {
        String scope = "dead-letters-" + UUID.randomUUID();
        ServerSettings settings = ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.TOKENS, scope + ":tok-1"));
        Path appDb = dir.resolve("app.db");
        Path phoneDb = dir.resolve("phone.db");
        String table = "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL);";
        sqlite3(appDb, table + "CREATE TRIGGER note_check BEFORE INSERT ON note WHEN NEW.body = 'forbidden'"
                + " BEGIN SELECT RAISE(ABORT, 'forbidden body'); END;");
        sqlite3(phoneDb, table);

        try (ServerRuntime server = ServerRuntime.start(settings)) {
            ShutdownSignal signal = new ShutdownSignal();
            CompletableFuture<CliRun> sidecar = CliRun.async(signal, "device",
                    "--db", appDb.toString(), "--table", "note", "--server", server.webSocketUri().toString(),
                    "--scope", scope, "--token", "tok-1");
            try (PocketSyncDevice phone = PocketSyncDevice.builder().database(phoneDb).tables("note")
                    .server(server.webSocketUri()).scope(scope).token("tok-1").transport("websocket").build()) {
                phone.start();
                sqlite3(phoneDb, "INSERT INTO note (body) VALUES ('forbidden'); INSERT INTO note (body) VALUES ('later');");
                await().atMost(Duration.ofSeconds(20)).until(() -> sqlite3(appDb, "SELECT count(*) FROM note WHERE body = 'later';")
                        .equals("1") || sidecar.isDone());
                assertThat(sidecar).isNotDone();

                CliRun list = CliRun.run("dead-letters", "list", "--db", appDb.toString());
                assertThat(list.exitCode()).as("stderr: %s", list.err()).isZero();
                assertThat(list.out()).contains("1 parked change").contains("note").contains("forbidden body");
                String id = list.out().lines().findFirst().orElseThrow().split("\t")[0];

                CliRun refused = CliRun.run("dead-letters", "retry", "--db", appDb.toString(), "--all");
                assertThat(refused.exitCode()).isEqualTo(DeadLettersCommand.STILL_PARKED);
                assertThat(refused.out()).contains("still parked").contains("forbidden body").contains("0 applied, 1 still parked");

                sqlite3(appDb, "DROP TRIGGER note_check;");
                CliRun applied = CliRun.run("dead-letters", "retry", "--db", appDb.toString(), "--id", id);
                assertThat(applied.exitCode()).as("stderr: %s", applied.err()).isZero();
                assertThat(applied.out()).contains(id + "\tapplied");
                assertThat(sqlite3(appDb, "SELECT count(*) FROM note WHERE body = 'forbidden';")).isEqualTo("1");
                assertThat(CliRun.run("dead-letters", "list", "--db", appDb.toString()).out()).contains("0 parked changes");
                // the retried row is not captured again: the sidecar has nothing to push for it
                assertThat(sqlite3(appDb, "SELECT count(*) FROM __pocketsync_changes WHERE state = 'pending';")).isEqualTo("0");
            }
            finally {
                signal.requestStop();
            }
            assertThat(sidecar.get(30, TimeUnit.SECONDS).exitCode()).isZero();
        }

        CliRun missing = CliRun.run("dead-letters", "drop", "--db", appDb.toString(), "--id", "999");
        assertThat(missing.exitCode()).isEqualTo(CliErrorHandler.FAILURE);
        assertThat(missing.errLines()).hasSize(1);
        assertThat(missing.errLines()[0]).contains("no dead letter 999").contains("INVALID_FIELD");
        CliRun noFile = CliRun.run("dead-letters", "list", "--db", dir.resolve("nope.db").toString());
        assertThat(noFile.exitCode()).isEqualTo(CliErrorHandler.USAGE);
        assertThat(noFile.errLines()[0]).contains("nope.db");
    }
}
