package io.pocketsync.server;

import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sidecar (the shaded jar, as a user runs it, with DEBUG logging) whose database a {@code sqlite3} shell holds in
 * {@code BEGIN IMMEDIATE} while changes from another device arrive: the sidecar waits, says so at DEBUG and once at
 * WARN, never logs an ERROR or a stack trace, and syncs both ways once the lock is released. Both files start in the
 * rollback journal: the default switches this one to WAL and logs it; {@code --journal-mode keep} leaves the other's.
 */
class BusyDeviceDatabaseIT {
    private static final Path JAR = Path.of("target", "pocketsync-server.jar");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String CREATE = "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL);";
    private static final String BODIES = "SELECT group_concat(body, '|') FROM (SELECT body FROM note ORDER BY body);";

    @TempDir
    Path dir;

    @Test
    void aLockedDatabaseIsWaitedOnWithoutErrorsAndSyncResumesOnceItIsFree() throws Exception {
        assertThat(JAR).as("built by the package phase").exists();
        String scope = "busy-" + UUID.randomUUID();
        Path locked = dir.resolve("locked.db");
        Path other = dir.resolve("other.db");
        sqlite3(locked, CREATE);
        sqlite3(other, CREATE);
        assertThat(sqlite3(locked, "PRAGMA journal_mode;")).isEqualTo("delete");
        Path log = dir.resolve("sidecar.log");
        ServerSettings settings = ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.TOKENS, scope + ":tok-1"));
        try (ServerRuntime server = ServerRuntime.start(settings)) {
            String uri = server.webSocketUri().toString();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process sidecar = new ProcessBuilder(List.of(java, "-D" + LoggingOptions.LEVEL_PROPERTY + "=debug", "-jar",
                    JAR.toString(), "device", "--db", locked.toString(), "--table", "note", "--server", uri, "--scope", scope,
                    "--token", "tok-1", "--busy-timeout", "300ms"))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            ShutdownSignal otherStop = new ShutdownSignal();
            CompletableFuture<CliRun> otherRun = CliRun.async(otherStop, "device", "--db",
                    other.toString(), "--table", "note", "--server", uri, "--scope", scope, "--token", "tok-1",
                    "--journal-mode", "keep");
            try {
                await().atMost(WAIT).until(() -> !sidecar.isAlive() || Files.readString(log).contains("Up to date"));
                await().atMost(WAIT).until(() -> otherRun.isDone() || sqlite3(other,
                        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'note';").matches("[1-9][0-9]*"));
                assertThat(sidecar.isAlive()).as("log: %s", Files.readString(log)).isTrue();

                Process shell = new ProcessBuilder("sqlite3", locked.toString()).redirectErrorStream(true).start();
                try (Writer in = shell.outputWriter(StandardCharsets.UTF_8);
                        BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8))) {
                    in.write(".timeout 10000\nBEGIN IMMEDIATE;\nINSERT INTO note (body) VALUES ('written while locked');\n"
                            + "SELECT 'locked';\n");
                    in.flush();
                    assertThat(out.readLine()).isEqualTo("locked");

                    // a change from the other device arrives while the lock is held: the sidecar cannot apply it yet
                    sqlite3(other, "INSERT INTO note (body) VALUES ('from the other device');");
                    await().atMost(WAIT).until(() -> Files.readString(log).contains("has been locked by another connection"));

                    in.write("COMMIT;\n.quit\n");
                }
                assertThat(shell.waitFor(20, TimeUnit.SECONDS)).isTrue();

                String both = "from the other device|written while locked";
                await().atMost(WAIT).ignoreExceptions().until(() -> sqlite3(locked, BODIES).equals(both));
                await().atMost(WAIT).ignoreExceptions().until(() -> sqlite3(other, BODIES).equals(both));
                await().atMost(WAIT).until(() -> Files.readString(log).contains("The device database is free again"));
            }
            finally {
                sidecar.destroy(); // SIGTERM: stops cleanly
                otherStop.requestStop();
            }
            assertThat(sidecar.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(otherRun.get(30, TimeUnit.SECONDS).exitCode()).isZero();
        }

        List<String> lines = Files.readAllLines(log);
        String output = String.join("\n", lines);
        assertThat(lines).as(output).anyMatch(line -> line.contains(" DEBUG ") && line.contains("stopped by a busy database"));
        assertThat(lines).as(output).filteredOn(line -> line.contains(" WARN ") && line.contains("has been locked")).hasSize(1);
        assertThat(lines).as(output).noneMatch(line -> line.contains(" ERROR ") || line.startsWith("\tat ")
                || line.contains("Exception"));
        assertThat(lines).as(output).anyMatch(line -> line.contains(" INFO ") && line.contains("from journal_mode=delete to WAL"));
        assertThat(sqlite3(locked, "PRAGMA journal_mode;")).isEqualTo("wal");
        assertThat(sqlite3(other, "PRAGMA journal_mode;")).isEqualTo("delete");
    }
}
