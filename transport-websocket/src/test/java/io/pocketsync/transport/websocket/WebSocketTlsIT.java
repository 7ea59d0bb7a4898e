package io.pocketsync.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.transport.Endpoint;
import io.pocketsync.testkit.transport.RecordingAcceptor;
import io.pocketsync.testkit.transport.RecordingClientListener;
import io.pocketsync.testkit.transport.TestingPluginContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wss://} with a self-signed certificate made by keytool for this test. */
class WebSocketTlsIT {
    private static final String PASSWORD = "changeit-" + System.nanoTime();
    @TempDir
    static Path dir;
    private static Path keystore;
    private static Path truststore;

    @BeforeAll
    static void makeCertificate() throws Exception {
        keystore = dir.resolve("server.p12");
        truststore = dir.resolve("trust.p12");
        Path certificate = dir.resolve("server.crt");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-alias", "server", "-keystore", keystore.toString(), "-storepass", PASSWORD,
                "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", certificate.toString(), "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", PASSWORD);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("keytool.log").toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(dir.resolve("keytool.log"))).isZero();
    }

    @Test
    void aDeviceTrustingTheCertificateTalksOverWss() {
        TestingPluginContext context = new TestingPluginContext("test");
        RecordingAcceptor acceptor = new RecordingAcceptor().onMessage((connection, message) ->
                connection.send(new Pong(ProtocolVersion.CURRENT, 1)));
        PluginConfig serverConfig = PluginConfig.of("transport.websocket", Map.of("port", "0",
                "keystore-path", keystore.toString(), "keystore-password", PASSWORD));
        assertThat(serverConfig.toString()).doesNotContain(PASSWORD);
        WebSocketServerConfig parsed = WebSocketServerConfig.from(serverConfig);
        assertThat(parsed.toString()).doesNotContain(PASSWORD);
        try (WebSocketServerTransport server = new WebSocketServerTransport(parsed, context);
             WebSocketClientTransport client = new WebSocketClientTransport(WebSocketClientConfig.from(PluginConfig.of(
                     "transport.websocket", Map.of("truststore-path", truststore.toString(), "truststore-password", PASSWORD))),
                     context)) {
            server.start(acceptor);
            assertThat(server.uri().getScheme()).isEqualTo("wss");
            RecordingClientListener listener = new RecordingClientListener();
            client.start(new Endpoint(server.uri(), "scope-1", "device-1"), listener);
            await().atMost(Duration.ofSeconds(20)).until(client::isConnected);
            assertThat(client.send(new Hello(ProtocolVersion.CURRENT, "device-1", "scope-1", "", 0, Hlc.ZERO))).isTrue();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(listener.messages()).containsExactly(new Pong(ProtocolVersion.CURRENT, 1)));
            assertThat(acceptor.connections()).hasSize(1);
        }
    }

    @Test
    void aDeviceNotTrustingTheCertificateNeverConnects() {
        TestingPluginContext context = new TestingPluginContext("test");
        RecordingAcceptor acceptor = new RecordingAcceptor();
        try (WebSocketServerTransport server = new WebSocketServerTransport(WebSocketServerConfig.from(PluginConfig.of(
                     "transport.websocket", Map.of("port", "0", "keystore-path", keystore.toString(),
                             "keystore-password", PASSWORD))), context);
             WebSocketClientTransport client = new WebSocketClientTransport(WebSocketClientConfig.from(PluginConfig.of(
                     "transport.websocket", Map.of("reconnect-initial-delay", "50ms", "reconnect-max-delay", "100ms"))),
                     context)) {
            server.start(acceptor);
            RecordingClientListener listener = new RecordingClientListener();
            client.start(new Endpoint(server.uri(), "scope-1", "device-1"), listener);
            await().atMost(Duration.ofSeconds(20)).until(() -> listener.disconnects().size() >= 2);
            assertThat(listener.connects()).isZero();
            assertThat(acceptor.connections()).isEmpty();
        }
    }
}
