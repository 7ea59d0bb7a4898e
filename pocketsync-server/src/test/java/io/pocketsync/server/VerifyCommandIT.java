package io.pocketsync.server;

import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.device.PocketSyncDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pocketsync verify} from the shaded jar, as a child process, against a database a sidecar synced: the
 * {@code sqlite3} shell changes and deletes rows with capture suppressed; {@code verify} reports the mismatch and exits
 * {@value VerifyCommand#MISMATCH}; {@code verify --repair} repairs exactly those rows; a second {@code verify} matches.
 */
class VerifyCommandIT {
    private static final Path JAR = Path.of("target", "pocketsync-server.jar");

    @TempDir
    Path dir;

    @Test
    void reportsAMismatchRepairsItAndThenMatches() throws Exception {
        assertThat(JAR).as("built by the package phase").exists();
        String scope = "verify-" + UUID.randomUUID();
        ServerSettings settings = ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.TOKENS, scope + ":tok-1"));
        Path appDb = dir.resolve("app.db");
        Path phoneDb = dir.resolve("phone.db");
        sqlite3(appDb, "CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0);");
        TestDatabases.createTodo(phoneDb);

        try (ServerRuntime server = ServerRuntime.start(settings)) {
            String url = server.webSocketUri().toString();
            ShutdownSignal signal = new ShutdownSignal();
            CompletableFuture<CliRun> sidecar = CliRun.async(signal, "device",
                    "--db", appDb.toString(), "--table", "todo", "--server", url, "--scope", scope, "--token", "tok-1");
            try (PocketSyncDevice phone = PocketSyncDevice.builder().database(phoneDb).tables("todo")
                    .server(server.webSocketUri()).scope(scope).token("tok-1").transport("websocket").build()) {
                phone.start();
                TestDatabases.execute(phoneDb, "INSERT INTO todo (id, title) VALUES ('a', 'alpha'), ('b', 'beta'), ('c', 'gamma')");
                await().atMost(Duration.ofSeconds(20)).until(() -> sidecar.isDone()
                        || "3".equals(sqlite3(appDb, "SELECT count(*) FROM todo;")));
            }
            finally {
                signal.requestStop();
            }
            assertThat(sidecar.get(30, TimeUnit.SECONDS).exitCode()).isZero();

            CliRun clean = verifyProcess(appDb, url, scope);
            assertThat(clean.exitCode()).as("output: %s", clean.out()).isZero();
            assertThat(clean.out()).containsPattern("todo\\s+3\\s+[0-9a-f]{16}\\s+match\\s+0").contains("all tables match");

            // behind the engine's back: the flag the engine sets while it applies, so the triggers capture nothing
            sqlite3(appDb, "BEGIN; INSERT INTO __pocketsync_applying (id) VALUES (1);"
                    + " UPDATE todo SET title = 'drift' WHERE id = 'a'; DELETE FROM todo WHERE id = 'b';"
                    + " DELETE FROM __pocketsync_applying; COMMIT;");

            CliRun mismatch = verifyProcess(appDb, url, scope);
            assertThat(mismatch.exitCode()).as("output: %s", mismatch.out()).isEqualTo(VerifyCommand.MISMATCH);
            assertThat(mismatch.out()).containsPattern("todo\\s+2\\s+[0-9a-f]{16}\\s+mismatch\\s+0").contains("MISMATCH");
            assertThat(sqlite3(appDb, "SELECT title FROM todo WHERE id = 'a';")).isEqualTo("drift");

            CliRun repaired = verifyProcess(appDb, url, scope, "--repair");
            assertThat(repaired.exitCode()).as("output: %s", repaired.out()).isZero();
            assertThat(repaired.out()).containsPattern("todo\\s+2\\s+[0-9a-f]{16}\\s+repaired\\s+2").contains("2 row(s) repaired");
            assertThat(sqlite3(appDb, "SELECT group_concat(title) FROM (SELECT title FROM todo ORDER BY id);"))
                    .isEqualTo("alpha,beta,gamma");
            assertThat(sqlite3(appDb, "SELECT count(*) FROM __pocketsync_changes WHERE state = 'pending';")).isEqualTo("0");

            CliRun again = verifyProcess(appDb, url, scope);
            assertThat(again.exitCode()).as("output: %s", again.out()).isZero();
            assertThat(again.out()).containsPattern("todo\\s+3\\s+[0-9a-f]{16}\\s+match\\s+0");
        }

        CliRun missing = CliRun.run("verify", "--db", dir.resolve("nope.db").toString(), "--server", "ws://127.0.0.1:1/sync",
                "--scope", "s");
        assertThat(missing.exitCode()).isEqualTo(CliErrorHandler.USAGE);
        assertThat(missing.errLines()).hasSize(1);
        assertThat(missing.errLines()[0]).contains("nope.db");
    }

    /** Runs {@code verify} from the shaded jar; the token travels in the environment, as documented. */
    private CliRun verifyProcess(Path db, String url, String scope, String... extra) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-jar", JAR.toString(), "verify", "--db", db.toString(),
                "--server", url, "--scope", scope, "--timeout", "30"));
        command.addAll(List.of(extra));
        Path out = Files.createTempFile(dir, "verify", ".out");
        Path err = Files.createTempFile(dir, "verify", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("POCKETSYNC_TOKEN", "tok-1");
        Process process = builder.start();
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("verify finished").isTrue();
            return new CliRun(process.exitValue(), Files.readString(out), Files.readString(err));
        }
        finally {
            process.destroyForcibly();
        }
    }
}
