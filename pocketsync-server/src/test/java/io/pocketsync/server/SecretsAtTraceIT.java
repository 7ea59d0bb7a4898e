package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.server.engine.auth.HmacTokens;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No log level prints a secret (issue #21, 5), as a user runs it: {@code pocketsync server} and two {@code pocketsync
 * device} sidecars as processes, every logger at TRACE (the root level of the command's Logback file, and java.util.logging,
 * where Paho traces, at ALL), secrets given the ways the README shows first (a tokens file, environment variables). Rows
 * sync both ways over WebSocket and MQTT; then every line the three processes wrote is searched for the static token,
 * the signed token and the HMAC secret.
 */
class SecretsAtTraceIT {
    private static final Path JAR = Path.of("target", "pocketsync-server.jar");
    private static final String MQTT = Optional.ofNullable(System.getenv("PS_MQTT_URI")).orElse("tcp://127.0.0.1:1883");
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String DDL = "CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT);";

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopProcesses() throws Exception {
        stopAll();
    }

    @Test
    void noSecretReachesAnyLogAtTrace() throws Exception {
        String id = UUID.randomUUID().toString();
        String scope = "secrets-" + id.substring(0, 8);
        String staticToken = "static-token-" + id;
        String hmacSecret = "hmac-secret-" + id;
        String signedToken = HmacTokens.issue(hmacSecret.getBytes(StandardCharsets.UTF_8), scope, "*",
                Instant.now().plus(Duration.ofHours(1)));
        Path tokens = Files.writeString(dir.resolve("tokens.txt"), "# scope:token, one a line\n" + scope + ":" + staticToken + "\n");
        Path deviceToken = Files.writeString(dir.resolve("device.token"), staticToken + "\n");
        Path julConfig = Files.writeString(dir.resolve("jul.properties"), "handlers=java.util.logging.ConsoleHandler\n"
                + ".level=ALL\njava.util.logging.ConsoleHandler.level=ALL\n");

        int port = TestPorts.freePort();
        start("server", Map.of(ServerCommand.ENV_HMAC_SECRET, hmacSecret), julConfig, "server", "--port", Integer.toString(port),
                "--db", dir.resolve("server.db").toString(), "--token-file", tokens.toString(), "--mqtt", MQTT);
        await().atMost(PATIENCE).until(() -> accepts(port) || !processes.get(0).isAlive());
        assertThat(processes.get(0).isAlive()).as("server log: %s", log("server")).isTrue();

        Path overWebSocket = dir.resolve("ws.db");
        Path overMqtt = dir.resolve("mqtt.db");
        TestDatabases.sqlite3(overWebSocket, DDL);
        TestDatabases.sqlite3(overMqtt, DDL);
        start("ws", Map.of(), julConfig, "device", "--db", overWebSocket.toString(), "--table", "todo", "--server",
                "ws://127.0.0.1:" + port + "/sync", "--scope", scope, "--token-file", deviceToken.toString());
        start("mqtt", Map.of(DeviceCommand.ENV_TOKEN, signedToken), julConfig, "device", "--db", overMqtt.toString(), "--table",
                "todo", "--server", MQTT, "--scope", scope);

        TestDatabases.sqlite3(overWebSocket, "INSERT INTO todo VALUES ('w', 'over websocket');");
        TestDatabases.sqlite3(overMqtt, "INSERT INTO todo VALUES ('m', 'over mqtt');");
        await().atMost(PATIENCE).ignoreExceptions().until(() -> TestDatabases.sqlite3(overMqtt,
                "SELECT title FROM todo WHERE id = 'w';").equals("over websocket")
                && TestDatabases.sqlite3(overWebSocket, "SELECT title FROM todo WHERE id = 'm';").equals("over mqtt"));
        stopAll();

        for (String name : List.of("server", "ws", "mqtt")) {
            String log = log(name);
            assertThat(log).as("%s logs at DEBUG and finer", name).contains(" DEBUG ");
            assertThat(log).as("%s log", name).doesNotContain(staticToken).doesNotContain(signedToken).doesNotContain(hmacSecret)
                    // the signed token's signature alone, in case a frame dump cut the token short
                    .doesNotContain(signedToken.substring(signedToken.indexOf('.') + 1));
        }
        assertThat(log("server")).contains("INFO HandshakeHandler - device ").contains(" connected to scope ");
    }

    private void start(String name, Map<String, String> environment, Path julConfig, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + LoggingOptions.LEVEL_PROPERTY + "=trace",
                "-Djava.util.logging.config.file=" + julConfig,
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        builder.environment().remove(ServerCommand.ENV_TOKENS);
        builder.environment().remove(ServerCommand.ENV_HMAC_SECRET);
        builder.environment().remove(DeviceCommand.ENV_TOKEN);
        builder.environment().putAll(environment);
        processes.add(builder.start());
    }

    /** SIGTERM to every process (devices first), and wait: the logs are complete after it. */
    private void stopAll() throws InterruptedException {
        List<Process> reversed = new ArrayList<>(processes);
        java.util.Collections.reverse(reversed);
        for (Process process : reversed) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        processes.clear();
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        }
        catch (java.io.IOException e) {
            return false;
        }
    }

    private String log(String name) throws java.io.IOException {
        return Files.readString(dir.resolve(name + ".log"));
    }
}
