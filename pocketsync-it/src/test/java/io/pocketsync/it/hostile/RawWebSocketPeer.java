package io.pocketsync.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;

/** A bare Java-WebSocket client: text frames for JSON, binary frames for CBOR or garbage. */
final class RawWebSocketPeer extends RawPeer {
    private final WebSocketClient client;

    RawWebSocketPeer(URI uri) throws InterruptedException {
        client = new WebSocketClient(uri) {
            @Override
            public void onOpen(ServerHandshake handshake) {}

            @Override
            public void onMessage(String message) {
                received(message.getBytes(StandardCharsets.UTF_8), true);
            }

            @Override
            public void onMessage(ByteBuffer bytes) {
                byte[] copy = new byte[bytes.remaining()];
                bytes.get(copy);
                received(copy, false);
            }

            @Override
            public void onClose(int code, String reason, boolean remote) {
                closeCode.set(code == 0 ? -1 : code);
            }

            @Override
            public void onError(Exception ex) {}
        };
        assertThat(client.connectBlocking()).as("raw WebSocket connect to " + uri).isTrue();
    }

    @Override
    void send(Frame frame) {
        if (!client.isOpen()) {
            // the server already closed us after an earlier frame of this case; that is an answer too
            return;
        }
        if (frame.binary()) {
            client.send(frame.bytes());
        }
        else {
            client.send(new String(frame.bytes(), StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
