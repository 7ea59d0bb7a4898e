package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real shaded jar as a child process: every plugin's providers are found (merged
 * META-INF/services), and SIGTERM stops the server cleanly.
 */
class ShadedJarIT {
    private static final Path JAR = Path.of("target", "pocketsync-server.jar");

    @TempDir
    Path dir;

    @Test
    void serverInTheShadedJarStopsCleanlyOnSigterm() throws Exception {
        assertThat(JAR).as("built by the package phase").exists();
        int port = TestPorts.freePort();
        int metricsPort = TestPorts.freePort();
        Path log = dir.resolve("server.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-jar", JAR.toString(), "server",
                "--port", Integer.toString(port), "--db", dir.resolve("server.db").toString(),
                "--token", "jar-scope:jar-token", "--metrics-port", Integer.toString(metricsPort)))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> TestPorts.healthy(metricsPort) || !process.isAlive());
            assertThat(process.isAlive()).as("log: %s", read(log)).isTrue();

            process.destroy(); // SIGTERM

            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String output = read(log);
            // 143 = 128 + SIGTERM: the JVM reports the signal even when the shutdown hook finished cleanly.
            assertThat(process.exitValue()).as("log: %s", output).isIn(0, 143);
            assertThat(output)
                    .contains("Store: sqlite (io.pocketsync.store.sqlite.SqliteServerStoreProvider from file:")
                    .contains("Transport: websocket (io.pocketsync.transport.websocket.WebSocketServerTransportProvider")
                    .contains("PocketSync server stopped")
                    .doesNotContain("jar-token")
                    .doesNotContain("Exception");
        }
        finally {
            process.destroyForcibly();
        }
    }

    @Test
    void versionFromTheShadedJar() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-jar", JAR.toString(), "--version").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).isZero();
        assertThat(output).startsWith("pocketsync " + VersionProvider.version());
    }

    @Test
    void rootScriptRunsTheJar() throws Exception {
        Path script = Path.of("..", "pocketsync").toAbsolutePath().normalize();
        assertThat(Files.isExecutable(script)).isTrue();
        // The jar exists (package phase), so the script runs it without building.
        Process process = new ProcessBuilder("bash", script.toString(), "server", "--prot", "1").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(output.strip()).isEqualTo("pocketsync: unknown option '--prot'; did you mean '--port'?");
    }

    private static String read(Path file) throws java.io.IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

}
