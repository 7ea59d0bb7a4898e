package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health/ready} reflects every transport listener, and a dead listener ends {@code pocketsync server} with
 * exit code 1 (#21). The WebSocket listener is killed from outside by interrupting its thread, which ends its loop
 * as Java-WebSocket's own fatal path does; the MQTT broker is a private Mosquitto on a free port, stopped and
 * started again.
 */
class ReadinessIT {
    @TempDir
    Path dir;
    private Process broker;

    @AfterEach
    void stopBroker() throws InterruptedException {
        if (broker != null) {
            broker.destroy();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDeadWebSocketListenerMakesReadinessFail() {
        int port = TestPorts.freePort();
        int metricsPort = TestPorts.freePort();
        try (ServerRuntime server = ServerRuntime.start(ServerSettings.of(Map.of(ServerSettings.PORT, Integer.toString(port),
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.ALLOW_ANONYMOUS, "true",
                ServerSettings.METRICS_PORT, Integer.toString(metricsPort))))) {
            assertThat(TestPorts.get(metricsPort, "/health/ready").statusCode()).isEqualTo(200);

            listenerThread(port).interrupt();

            await().atMost(Duration.ofSeconds(10)).until(() -> TestPorts.get(metricsPort, "/health/ready").statusCode() == 503);
            HttpResponse<String> ready = TestPorts.get(metricsPort, "/health/ready");
            assertThat(ready.body()).contains("\"websocket\":{\"up\":false,\"detail\":\"WebSocket listener on 127.0.0.1:" + port
                    + ": listener thread ended; no device can connect\"}", "\"store\":{\"up\":true");
            assertThat(accepts(port)).isFalse();
        }
    }

    @Test
    void theServerCommandExitsWithCode1WhenItsListenerDies() throws Exception {
        int port = TestPorts.freePort();
        int metricsPort = TestPorts.freePort();
        ShutdownSignal signal = new ShutdownSignal();
        CompletableFuture<CliRun> run = CliRun.async(signal, "server",
                "--port", Integer.toString(port), "--db", dir.resolve("server.db").toString(), "--allow-anonymous",
                "--metrics-port", Integer.toString(metricsPort));
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> TestPorts.healthy(metricsPort) || run.isDone());
            assertThat(run).isNotDone();

            listenerThread(port).interrupt();

            CliRun result = run.get(30, TimeUnit.SECONDS);
            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.errLines()).containsExactly("pocketsync: stopped after a fatal error in websocket: WebSocket"
                    + " listener on 127.0.0.1:" + port + ": listener thread ended; no device can connect");
            assertThat(signal.awaitStopped(Duration.ofSeconds(1))).isTrue();
            assertThat(TestPorts.healthy(metricsPort)).isFalse();
        }
        finally {
            signal.requestStop();
        }
    }

    @Test
    void readinessFollowsTheMqttBroker() throws Exception {
        int brokerPort = TestPorts.freePort();
        int metricsPort = TestPorts.freePort();
        startBroker(brokerPort);
        try (ServerRuntime server = ServerRuntime.start(ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.ALLOW_ANONYMOUS, "true",
                ServerSettings.MQTT_URI, "tcp://127.0.0.1:" + brokerPort,
                "transport.mqtt.topic-root", "ready-" + UUID.randomUUID().toString().substring(0, 8) + "/v1",
                "transport.mqtt.reconnect-max-delay", "1s",
                ServerSettings.METRICS_PORT, Integer.toString(metricsPort))))) {
            assertThat(TestPorts.get(metricsPort, "/health/ready").statusCode()).isEqualTo(200);

            broker.destroy();
            assertThat(broker.waitFor(10, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(20)).until(() -> TestPorts.get(metricsPort, "/health/ready").statusCode() == 503);
            assertThat(TestPorts.get(metricsPort, "/health/ready").body()).contains(
                    "\"mqtt\":{\"up\":false,\"detail\":\"broker tcp://127.0.0.1:" + brokerPort + " unreachable",
                    "\"websocket\":{\"up\":true");
            assertThat(TestPorts.get(metricsPort, "/health/live").statusCode()).isEqualTo(200);

            startBroker(brokerPort);
            await().atMost(Duration.ofSeconds(30)).until(() -> TestPorts.get(metricsPort, "/health/ready").statusCode() == 200);
        }
    }

    private void startBroker(int port) throws IOException {
        Path config = dir.resolve("mosquitto.conf");
        Files.writeString(config, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n");
        broker = new ProcessBuilder(mosquitto(), "-c", config.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile())).start();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> accepts(port));
    }

    private static String mosquitto() {
        return Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : "mosquitto";
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }

    private static Thread listenerThread(int port) {
        String name = "pocketsync-ws-listener-" + port;
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no thread named " + name));
    }
}
