package io.pocketsync.transport.websocket;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.ServerTransport;
import io.pocketsync.testkit.transport.AbstractTransportContractTest;
import io.pocketsync.testkit.transport.TestingPluginContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;

/** The transport contract over real WebSocket connections on loopback. */
class WebSocketTransportIT extends AbstractTransportContractTest {
    private int port;

    @BeforeEach
    void pickPort() throws IOException {
        // a fixed port per test, so a restarted server is found again by its clients
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
    }

    @Override
    protected ServerTransport newServer() {
        return new WebSocketServerTransportProvider().create(PluginConfig.of("transport.websocket", Map.of(
                "port", Integer.toString(port),
                "max-message-bytes", Integer.toString(maxMessageBytes()),
                "max-queued-messages", Integer.toString(maxQueuedMessages()))), new TestingPluginContext("server"));
    }

    @Override
    protected ClientTransport newClient() {
        return new WebSocketClientTransportProvider().create(PluginConfig.of("transport.websocket", Map.of(
                "max-message-bytes", Integer.toString(maxMessageBytes()),
                "reconnect-initial-delay", "50ms",
                "reconnect-max-delay", "500ms")), new TestingPluginContext("device"));
    }

    @Override
    protected URI serverUri() {
        return URI.create("ws://127.0.0.1:" + port + "/sync");
    }
}
