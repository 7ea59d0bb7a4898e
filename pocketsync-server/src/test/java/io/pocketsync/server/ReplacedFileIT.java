package io.pocketsync.server;

import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database file of a running sidecar is deleted and created again with the {@code sqlite3} shell (an app that
 * resets its data): the sidecar notices, closes the deleted file and syncs the new one as a new device, both ways.
 */
class ReplacedFileIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String NOTES = "SELECT group_concat(body, '|') FROM (SELECT body FROM note ORDER BY body);";

    @TempDir
    Path dir;

    @Test
    void aSidecarSyncsTheFileThatReplacedItsOwn() throws Exception {
        String scope = "replaced-" + UUID.randomUUID();
        ServerSettings settings = ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.TOKENS, scope + ":tok-1"));
        Path phone = dir.resolve("phone.db");
        Path tablet = dir.resolve("tablet.db");
        String create = "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL);";
        sqlite3(phone, create);
        sqlite3(tablet, create);
        try (ServerRuntime server = ServerRuntime.start(settings)) {
            ShutdownSignal phoneStop = new ShutdownSignal();
            ShutdownSignal tabletStop = new ShutdownSignal();
            CompletableFuture<CliRun> phoneRun = sidecar(phoneStop, phone, server, scope);
            CompletableFuture<CliRun> tabletRun = sidecar(tabletStop, tablet, server, scope);
            try {
                awaitTriggers(phone, phoneRun);
                awaitTriggers(tablet, tabletRun);
                String oldId = sqlite3(phone, "SELECT device_id FROM __pocketsync_device_state;");
                sqlite3(phone, "INSERT INTO note (body) VALUES ('in the old file');");
                await().atMost(WAIT).ignoreExceptions().until(() -> sqlite3(tablet, NOTES).equals("in the old file"));

                // what an app resetting its data does: the database and its WAL files go, a fresh one comes
                for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
                    Files.deleteIfExists(dir.resolve("phone.db" + suffix));
                }
                sqlite3(phone, create + " INSERT INTO note (body) VALUES ('in the new file');");

                String both = "in the new file|in the old file";
                await().atMost(WAIT).ignoreExceptions().until(() -> sqlite3(tablet, NOTES).equals(both));
                await().atMost(WAIT).ignoreExceptions().until(() -> sqlite3(phone, NOTES).equals(both));
                assertThat(sqlite3(phone, "SELECT device_id FROM __pocketsync_device_state;")).isNotEqualTo(oldId);
                sqlite3(phone, "INSERT INTO note (body) VALUES ('later in the new file');");
                await().atMost(WAIT).ignoreExceptions().until(() -> sqlite3(tablet, NOTES).equals(
                        "in the new file|in the old file|later in the new file"));
                assertThat(phoneRun).isNotDone();
            }
            finally {
                phoneStop.requestStop();
                tabletStop.requestStop();
            }
            CliRun phoneResult = phoneRun.get(30, TimeUnit.SECONDS);
            assertThat(phoneResult.exitCode()).as("stderr: %s", phoneResult.err()).isZero();
            assertThat(tabletRun.get(30, TimeUnit.SECONDS).exitCode()).isZero();
        }
    }

    private static void awaitTriggers(Path db, CompletableFuture<CliRun> run) {
        await().atMost(WAIT).until(() -> run.isDone() || sqlite3(db,
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'note';").matches("[1-9][0-9]*"));
        assertThat(run).isNotDone();
    }

    private static CompletableFuture<CliRun> sidecar(ShutdownSignal signal, Path db, ServerRuntime server, String scope) {
        return CliRun.async(signal, "device", "--db", db.toString(), "--table", "note",
                "--server", server.webSocketUri().toString(), "--scope", scope, "--token", "tok-1");
    }
}
