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
 * A device's database file copied with {@code cp} (an SD-card image flashed twice, a backup restored) and both copies
 * run as sidecars: the copy takes a new device id, and each receives what the other writes with the {@code sqlite3}
 * shell, before and after the copy.
 */
class ClonedFileIT {
    @TempDir
    Path dir;

    @Test
    void aCopiedFileTakesANewIdAndBothCopiesReceiveEachOthersWrites() throws Exception {
        String scope = "clone-" + UUID.randomUUID();
        ServerSettings settings = ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.TOKENS, scope + ":tok-1"));
        Path original = dir.resolve("phone.db");
        Path clone = dir.resolve("phone-image.db");
        sqlite3(original, "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"
                + " INSERT INTO note (body) VALUES ('before the copy');");

        try (ServerRuntime server = ServerRuntime.start(settings)) {
            ShutdownSignal first = new ShutdownSignal();
            CompletableFuture<CliRun> once = sidecar(first, original, server, scope);
            await().ignoreExceptions().atMost(Duration.ofSeconds(20)).until(() ->
                    sqlite3(original, "SELECT count(*) FROM __pocketsync_changes WHERE state = 'acked';").equals("1"));
            first.requestStop();
            assertThat(once.get(30, TimeUnit.SECONDS).exitCode()).isZero();
            String originalId = sqlite3(original, "SELECT device_id FROM __pocketsync_device_state;");
            // written after the sidecar stopped, then the file is imaged: the pending write is in both copies
            sqlite3(original, "INSERT INTO note (body) VALUES ('pending when copied');");
            Files.copy(original, clone);

            ShutdownSignal a = new ShutdownSignal();
            ShutdownSignal b = new ShutdownSignal();
            CompletableFuture<CliRun> runA = sidecar(a, original, server, scope);
            CompletableFuture<CliRun> runB = sidecar(b, clone, server, scope);
            try {
                await().ignoreExceptions().atMost(Duration.ofSeconds(20)).until(() -> sqlite3(clone, "SELECT count(*) FROM sqlite_master"
                        + " WHERE name = '__pocketsync_device_state';").equals("1") && !sqlite3(clone,
                        "SELECT device_id FROM __pocketsync_device_state;").equals(originalId));
                assertThat(sqlite3(original, "SELECT device_id FROM __pocketsync_device_state;")).isEqualTo(originalId);

                sqlite3(original, "INSERT INTO note (body) VALUES ('from the original');");
                sqlite3(clone, "INSERT INTO note (body) VALUES ('from the image');");
                String notes = "SELECT group_concat(body, '|') FROM (SELECT body FROM note ORDER BY body);";
                String expected = "before the copy|from the image|from the original|pending when copied";
                await().atMost(Duration.ofSeconds(30)).until(() -> sqlite3(original, notes).equals(expected)
                        && sqlite3(clone, notes).equals(expected));
            }
            finally {
                a.requestStop();
                b.requestStop();
            }
            assertThat(runA.get(30, TimeUnit.SECONDS).exitCode()).isZero();
            assertThat(runB.get(30, TimeUnit.SECONDS).exitCode()).isZero();
        }
    }

    private static CompletableFuture<CliRun> sidecar(ShutdownSignal signal, Path db, ServerRuntime server, String scope) {
        return CliRun.async(signal, "device", "--db", db.toString(), "--table", "note",
                "--server", server.webSocketUri().toString(), "--scope", scope, "--token", "tok-1");
    }
}
