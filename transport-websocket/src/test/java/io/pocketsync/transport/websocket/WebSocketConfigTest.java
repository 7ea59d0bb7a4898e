package io.pocketsync.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.transport.ClientTransportProvider;
import io.pocketsync.api.transport.ServerTransportProvider;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WebSocketConfigTest {
    @Test
    void serverDefaults() {
        WebSocketServerConfig config = WebSocketServerConfig.from(PluginConfig.empty("transport.websocket"));
        assertThat(config).isEqualTo(new WebSocketServerConfig("127.0.0.1", 8787, "/sync", 1024 * 1024, 4L * 1024 * 1024, 1000,
                Duration.ofSeconds(30), "json", Optional.empty(), "", "PKCS12", 32 * 1024 * 1024, Duration.ofSeconds(10), 64));
    }

    @Test
    void serverFullMapping() {
        WebSocketServerConfig config = WebSocketServerConfig.from(PluginConfig.of("transport.websocket", Map.ofEntries(
                Map.entry("host", "0.0.0.0"), Map.entry("port", "9000"), Map.entry("path", "/ps"),
                Map.entry("max-message-bytes", "2048"), Map.entry("max-queued-bytes", "65536"),
                Map.entry("max-queued-messages", "10"), Map.entry("heartbeat-interval", "5s"), Map.entry("codec", "cbor"),
                Map.entry("keystore-path", "/k.p12"), Map.entry("keystore-password", "hunter2"),
                Map.entry("keystore-type", "JKS"))));
        assertThat(config).isEqualTo(new WebSocketServerConfig("0.0.0.0", 9000, "/ps", 2048, 65536, 10, Duration.ofSeconds(5),
                "cbor", Optional.of("/k.p12"), "hunter2", "JKS", 32 * 1024 * 1024, Duration.ofSeconds(10), 64));
        WebSocketServerConfig handshakes = WebSocketServerConfig.from(PluginConfig.of("transport.websocket", Map.of(
                "handshake-timeout", "3s", "max-pending-handshakes-per-address", "5")));
        assertThat(handshakes.handshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(handshakes.maxPendingPerAddress()).isEqualTo(5);
        assertThat(WebSocketServerConfig.from(PluginConfig.of("transport.websocket", Map.of("max-assembled-bytes", "4096")))
                .maxAssembledBytes()).isEqualTo(4096);
        assertThat(config.toString()).doesNotContain("hunter2");
    }

    @Test
    void clientDefaultsAndFullMapping() {
        WebSocketClientConfig defaults = WebSocketClientConfig.from(PluginConfig.empty("transport.websocket"));
        assertThat(defaults.codec()).isEqualTo("cbor");
        assertThat(defaults.maxMessageBytes()).isEqualTo(1024 * 1024);
        assertThat(defaults.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.truststorePath()).isEmpty();
        assertThat(defaults.maxAssembledBytes()).isEqualTo(32 * 1024 * 1024);

        WebSocketClientConfig config = WebSocketClientConfig.from(PluginConfig.of("transport.websocket", Map.of(
                "codec", "json", "max-message-bytes", "100", "heartbeat-interval", "2s", "connect-timeout", "500ms",
                "reconnect-initial-delay", "10ms", "reconnect-max-delay", "1s", "truststore-path", "/t.p12",
                "truststore-password", "s3cret", "truststore-type", "JKS", "max-assembled-bytes", "0")));
        assertThat(config.maxAssembledBytes()).isZero();
        assertThat(config.codec()).isEqualTo("json");
        assertThat(config.maxMessageBytes()).isEqualTo(100);
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.reconnect().initial()).isEqualTo(Duration.ofMillis(10));
        assertThat(config.reconnect().max()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.truststorePath()).contains("/t.p12");
        assertThat(config.truststoreType()).isEqualTo("JKS");
        assertThat(config.toString()).doesNotContain("s3cret");
    }

    @Test
    void unknownKeyFailsWithAHint() {
        assertThatThrownBy(() -> WebSocketServerConfig.from(PluginConfig.of("transport.websocket", Map.of("prot", "1"))))
                .isInstanceOf(PocketSyncException.class)
                .hasMessageContaining("transport.websocket.prot").hasMessageContaining("transport.websocket.port")
                .extracting(e -> ((PocketSyncException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID);
    }

    @Test
    void badValuesFail() {
        assertThatThrownBy(() -> WebSocketServerConfig.from(PluginConfig.of("transport.websocket", Map.of("port", "70000"))))
                .isInstanceOf(PocketSyncException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> WebSocketServerConfig.from(PluginConfig.of("transport.websocket", Map.of("path", "sync"))))
                .isInstanceOf(PocketSyncException.class).hasMessageContaining("path");
        assertThatThrownBy(() -> WebSocketServerConfig.from(PluginConfig.of("transport.websocket", Map.of("max-queued-bytes", "0"))))
                .isInstanceOf(PocketSyncException.class).hasMessageContaining("transport.websocket.max-queued-bytes must be positive");
        assertThatThrownBy(() -> WebSocketClientConfig.from(PluginConfig.of("transport.websocket",
                Map.of("reconnect-initial-delay", "5s", "reconnect-max-delay", "1s"))))
                .isInstanceOf(PocketSyncException.class).hasMessageContaining("reconnect");
    }

    @Test
    void providersAreFoundByServiceLoader() {
        assertThat(ServiceLoader.load(ServerTransportProvider.class, ServerTransportProvider.class.getClassLoader()).stream()
                .map(p -> p.get().name())).contains("websocket");
        ClientTransportProvider client = ServiceLoader.load(ClientTransportProvider.class,
                ClientTransportProvider.class.getClassLoader()).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("websocket")).findFirst().orElseThrow();
        assertThat(client.schemes()).isEqualTo(Set.of("ws", "wss"));

    }

    @Test
    void closeCodesRoundTrip() {
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(CloseCodes.toErrorCode(CloseCodes.toCloseCode(code))).isEqualTo(code);
        }
        assertThat(CloseCodes.toErrorCode(1001)).isEqualTo(ErrorCode.SHUTTING_DOWN);
        assertThat(CloseCodes.toErrorCode(1006)).isEqualTo(ErrorCode.TRANSPORT_CLOSED);
        assertThat(CloseCodes.toErrorCode(4999)).isEqualTo(ErrorCode.TRANSPORT_CLOSED);
    }
}
