package io.pocketsync.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.FatalErrorHandler;
import io.pocketsync.api.Health;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.testkit.transport.RecordingAcceptor;
import io.pocketsync.testkit.transport.TestingPluginContext;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The listener (Java-WebSocket's selector thread) dies: the port stops accepting, health turns down with the reason
 * and the fatal error handler hears of it once. The test ends the thread from outside, by interrupting it, as the
 * library's own fatal path does.
 */
class WebSocketListenerDeathIT {
    private final List<String> fatal = new CopyOnWriteArrayList<>();
    private final FatalErrorHandler handler = (part, reason, cause) -> fatal.add(part + ": " + reason);
    private WebSocketServerTransport server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private WebSocketServerTransport started() {
        WebSocketServerTransport created = new WebSocketServerTransport(WebSocketServerConfig.from(
                PluginConfig.of("transport.websocket", Map.of("port", "0"))),
                new TestingPluginContext("server", Map.of(FatalErrorHandler.class, handler)));
        created.start(new RecordingAcceptor());
        return created;
    }

    @Test
    void aDeadListenerIsDownAndFatal() throws Exception {
        server = started();
        int port = server.port();
        assertThat(server.health()).isEqualTo(Health.ok());

        listenerThread(port).interrupt();

        await().atMost(Duration.ofSeconds(10)).until(() -> !server.health().up());
        assertThat(server.health().detail()).contains("127.0.0.1:" + port, "listener thread ended", "no device can connect");
        await().atMost(Duration.ofSeconds(5)).until(() -> !fatal.isEmpty());
        assertThat(fatal).singleElement().asString().startsWith("websocket: WebSocket listener on 127.0.0.1:" + port);
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);

        server.close();
        assertThat(fatal).hasSize(1);
        assertThat(server.health().up()).isFalse();
    }

    @Test
    void closingTheTransportIsNotAFailure() {
        server = started();
        server.close();
        assertThat(server.health()).isEqualTo(Health.down("WebSocket transport closed"));
        assertThat(fatal).isEmpty();
    }

    @Test
    void aPortInUseFailsTheStartAndIsNotAFatalError() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            WebSocketServerTransport refused = new WebSocketServerTransport(WebSocketServerConfig.from(
                    PluginConfig.of("transport.websocket", Map.of("port", Integer.toString(taken.getLocalPort())))),
                    new TestingPluginContext("server", Map.of(FatalErrorHandler.class, handler)));
            assertThatThrownBy(() -> refused.start(new RecordingAcceptor()))
                    .isInstanceOf(io.pocketsync.api.PocketSyncException.class).hasMessageContaining("cannot bind");
            refused.close();
        }
        assertThat(fatal).isEmpty();
    }

    private static Thread listenerThread(int port) {
        String name = "pocketsync-ws-listener-" + port;
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no thread named " + name));
    }
}
