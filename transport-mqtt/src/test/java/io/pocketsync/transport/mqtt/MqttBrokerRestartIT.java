package io.pocketsync.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.transport.Endpoint;
import io.pocketsync.testkit.transport.RecordingAcceptor;
import io.pocketsync.testkit.transport.RecordingClientListener;
import io.pocketsync.testkit.transport.TestingPluginContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts a broker mid-stream: a private Mosquitto child process on a free port (never the shared
 * broker). The device reconnects (onConnected again), the server bridge re-subscribes, and after the
 * device's new HELLO messages flow both ways again. The bridge's health is down while the broker is gone.
 */
class MqttBrokerRestartIT {
    @TempDir
    Path dir;
    private Process broker;
    private int port;

    @AfterEach
    void stopBroker() throws InterruptedException {
        if (broker != null) {
            broker.destroy();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void deviceAndServerReconnectAndDeliveryResumes() throws Exception {
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        startBroker();
        String uri = "tcp://127.0.0.1:" + port;
        TestingPluginContext context = new TestingPluginContext("restart-test");
        RecordingAcceptor acceptor = new RecordingAcceptor().onMessage((connection, message) -> {
            if (message instanceof Ping ping) {
                connection.send(new Pong(ProtocolVersion.CURRENT, ping.nonce()));
            }
        });
        RecordingClientListener listener = new RecordingClientListener();
        try (MqttServerTransport server = new MqttServerTransport(MqttServerConfig.from(PluginConfig.of("transport.mqtt",
                     Map.of("uri", uri, "reconnect-max-delay", "1s"))), context);
             MqttClientTransport client = new MqttClientTransport(MqttClientConfig.from(PluginConfig.of("transport.mqtt",
                     Map.of("reconnect-initial-delay", "50ms", "reconnect-max-delay", "300ms", "keep-alive", "2s"))),
                     context)) {
            server.start(acceptor);
            assertThat(server.health().up()).isTrue();
            client.start(new Endpoint(URI.create(uri), "scope-r", "device-r"), listener);
            await().atMost(Duration.ofSeconds(20)).until(client::isConnected);
            assertThat(client.send(new Hello(ProtocolVersion.CURRENT, "device-r", "scope-r", "", 0, Hlc.ZERO))).isTrue();
            for (long i = 0; i < 20; i++) {
                assertThat(client.send(new Ping(ProtocolVersion.CURRENT, i))).isTrue();
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(pongs(listener)).isEqualTo(20));

            broker.destroy();
            assertThat(broker.waitFor(10, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(listener.disconnects()).isNotEmpty());
            // readiness: the bridge says it cannot serve while its broker is gone
            await().atMost(Duration.ofSeconds(20)).until(() -> !server.health().up());
            assertThat(server.health().detail()).startsWith("broker " + uri + " unreachable").endsWith("; reconnecting");
            assertThat(client.send(new Ping(ProtocolVersion.CURRENT, 99))).isFalse();

            startBroker();
            await().atMost(Duration.ofSeconds(30)).until(() -> listener.connects() >= 2 && client.isConnected());
            // as the device engine does after every onConnected
            assertThat(client.send(new Hello(ProtocolVersion.CURRENT, "device-r", "scope-r", "", 0, Hlc.ZERO))).isTrue();
            // the server bridge reconnects on its own backoff; until it has re-subscribed, publishes are lost
            // (the broker had no persistence), which is what the engines' re-send and catch-up are for
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
                client.send(new Ping(ProtocolVersion.CURRENT, 1000));
                return pongs(listener) > 20;
            });
            assertThat(listener.overlapSeen()).isFalse();
            assertThat(server.health().up()).isTrue();
        }
    }

    private static long pongs(RecordingClientListener listener) {
        return listener.messages().stream().filter(m -> m instanceof Pong).count();
    }

    private void startBroker() throws IOException {
        Path config = dir.resolve("mosquitto.conf");
        Files.writeString(config, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n");
        broker = new ProcessBuilder("mosquitto", "-c", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(this::brokerAccepts);
    }

    private boolean brokerAccepts() {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }
}
