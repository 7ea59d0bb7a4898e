package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.device.PocketSyncDevice;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar run as an operator runs it, with a heap too small for what a device sends: the
 * {@link OutOfMemoryError} on a transport thread ends the process with one ERROR line and exit code 1, so a
 * supervisor restarts it, instead of leaving it running deaf (#21).
 */
class OutOfMemoryExitIT {
    private static final Path JAR = Path.of("target", "pocketsync-server.jar");

    @TempDir
    Path dir;

    @Test
    void anOutOfMemoryErrorEndsTheServerWithCode1() throws Exception {
        assertThat(JAR).as("built by the package phase").exists();
        int port = TestPorts.freePort();
        int metricsPort = TestPorts.freePort();
        Path log = dir.resolve("server.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-Xmx40m", "-jar", JAR.toString(), "server",
                "--port", Integer.toString(port), "--db", dir.resolve("server.db").toString(),
                "--token", "oom:oom-token", "--metrics-port", Integer.toString(metricsPort)))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path db = dir.resolve("device.db");
        TestDatabases.createTodo(db);
        try (PocketSyncDevice device = PocketSyncDevice.builder().database(db).tables("todo")
                .server(URI.create("ws://127.0.0.1:" + port + "/sync")).scope("oom").token("oom-token")
                .transport("websocket").build()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> TestPorts.healthy(metricsPort) || !process.isAlive());
            assertThat(process.isAlive()).as("log: %s", read(log)).isTrue();
            device.start();
            // 12 MiB rows: the server rebuilds each PUSH from fragments and decodes it, more than its 40 MiB heap holds
            try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
                    PreparedStatement insert = connection.prepareStatement("INSERT INTO todo (id, title) VALUES (?, ?)")) {
                for (int i = 0; i < 3; i++) {
                    insert.setString(1, "big-" + i);
                    insert.setString(2, Integer.toString(i).repeat(12 << 20));
                    insert.executeUpdate();
                }
            }

            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the server exits; log: %s", read(log)).isTrue();
            String output = read(log);
            assertThat(process.exitValue()).as("log: %s", output).isEqualTo(1);
            assertThat(output).contains("OutOfMemoryError", "ERROR", "Fatal error in ",
                    "the server stops and exits with code 1 so that its supervisor restarts it");
        }
        finally {
            process.destroyForcibly();
        }
    }

    private static String read(Path file) throws java.io.IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
