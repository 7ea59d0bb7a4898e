package io.pocketsync.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.testkit.transport.RecordingAcceptor;
import io.pocketsync.testkit.transport.TestingPluginContext;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A peer that completes the handshake and then never answers a ping is dropped by the heartbeat. */
class WebSocketHeartbeatIT {
    @Test
    void aSilentPeerIsDetectedAndClosed() throws Exception {
        RecordingAcceptor acceptor = new RecordingAcceptor();
        try (WebSocketServerTransport server = new WebSocketServerTransport(WebSocketServerConfig.from(PluginConfig.of(
                "transport.websocket", Map.of("port", "0", "heartbeat-interval", "1s"))), new TestingPluginContext("test"));
             Socket peer = new Socket("127.0.0.1", portOf(server, acceptor))) {
            String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
            OutputStream out = peer.getOutputStream();
            out.write(("GET /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = peer.getInputStream();
            byte[] status = new byte[12];
            assertThat(in.readNBytes(status, 0, 12)).isEqualTo(12);
            assertThat(new String(status, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");

            await().atMost(Duration.ofSeconds(10)).until(() -> acceptor.connections().size() == 1);
            RecordingAcceptor.Recorded connection = acceptor.connections().get(0);
            // the peer reads nothing and answers no ping: the server gives up after about 1.5 intervals
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(connection.closes()).isEqualTo(1));
            assertThat(connection.connection().isOpen()).isFalse();
            assertThat(server.connectionCount()).isZero();
        }
    }

    private static int portOf(WebSocketServerTransport server, RecordingAcceptor acceptor) {
        server.start(acceptor);
        return server.port();
    }
}
