package io.pocketsync.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import io.pocketsync.testkit.transport.RecordingAcceptor;
import io.pocketsync.testkit.transport.RecordingClientListener;
import io.pocketsync.testkit.transport.TestingPluginContext;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Garbage, oversized and non-protocol input closes only the offending connection, with an ERROR where possible. */
class WebSocketBadInputIT {
    private static final int MAX = 16 * 1024;
    private final TestingPluginContext context = new TestingPluginContext("test");
    private WebSocketServerTransport server;
    private RecordingAcceptor acceptor;
    private ClientTransport goodClient;
    private RecordingClientListener goodListener;
    private RecordingAcceptor.Recorded goodConnection;

    @BeforeEach
    void startServerAndAWellBehavedDevice() {
        acceptor = new RecordingAcceptor().onMessage((connection, message) -> {
            if (message instanceof Ping ping) {
                connection.send(new Pong(ProtocolVersion.CURRENT, ping.nonce()));
            }
        });
        server = new WebSocketServerTransport(WebSocketServerConfig.from(PluginConfig.of("transport.websocket",
                Map.of("port", "0", "max-message-bytes", Integer.toString(MAX)))), context);
        server.start(acceptor);
        goodListener = new RecordingClientListener();
        goodClient = new WebSocketClientTransport(WebSocketClientConfig.from(PluginConfig.empty("transport.websocket")), context);
        goodClient.start(new Endpoint(server.uri(), "scope-1", "good"), goodListener);
        await().until(goodClient::isConnected);
        goodClient.send(new Hello(ProtocolVersion.CURRENT, "good", "scope-1", "", 0, Hlc.ZERO));
        await().until(() -> acceptor.byDevice("good").isPresent());
        goodConnection = acceptor.byDevice("good").orElseThrow();
    }

    @AfterEach
    void stop() {
        goodClient.close();
        server.close();
    }

    @Test
    void textGarbageGetsMalformedAndCloses() throws Exception {
        RawClient raw = RawClient.open(server.uri());
        raw.send("{not a message at all");
        raw.awaitClosed();
        assertThat(raw.errorCodes(context)).containsExactly(ErrorCode.MALFORMED_MESSAGE);
        assertThat(raw.closeCode.get()).isEqualTo(4000 + ErrorCode.MALFORMED_MESSAGE.number());
        assertGoodDeviceStillServed();
    }

    @Test
    void binaryGarbageGetsAnErrorAndCloses() throws Exception {
        RawClient raw = RawClient.open(server.uri());
        raw.send(new byte[] {(byte) 0xff, 0x00, 0x13, 0x37, (byte) 0x80});
        raw.awaitClosed();
        assertThat(raw.closeCode.get()).isBetween(4100, 4199);
        assertThat(raw.binaryErrorCodes(context)).hasSize(1);
        assertGoodDeviceStillServed();
    }

    @Test
    void aMessageOverTheLimitGetsMessageTooLarge() throws Exception {
        RawClient raw = RawClient.open(server.uri());
        raw.send("x".repeat(MAX + 100));
        raw.awaitClosed();
        assertThat(raw.errorCodes(context)).containsExactly(ErrorCode.MESSAGE_TOO_LARGE);
        assertGoodDeviceStillServed();
    }

    @Test
    void aFrameFarOverTheLimitIsRefusedByTheParser() throws Exception {
        RawClient raw = RawClient.open(server.uri());
        raw.send(new byte[MAX * 10]);
        raw.awaitClosed();
        assertThat(raw.closeCode.get()).isEqualTo(org.java_websocket.framing.CloseFrame.TOOBIG);
        assertGoodDeviceStillServed();
    }

    @Test
    void anUnknownPathIsRefused() throws Exception {
        URI wrong = URI.create("ws://127.0.0.1:" + server.port() + "/other");
        RawClient raw = new RawClient(wrong);
        assertThat(raw.connectBlocking()).isFalse();
        assertThat(acceptor.connections()).hasSize(1);
        assertGoodDeviceStillServed();
    }

    private void assertGoodDeviceStillServed() {
        assertThat(goodClient.send(new Ping(ProtocolVersion.CURRENT, 7))).isTrue();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(goodListener.messages())
                .contains(new Pong(ProtocolVersion.CURRENT, 7)));
        assertThat(goodConnection.closes()).isZero();
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    /** A bare Java-WebSocket client that records what the server sends back. */
    static final class RawClient extends WebSocketClient {
        final List<String> texts = new CopyOnWriteArrayList<>();
        final List<byte[]> binaries = new CopyOnWriteArrayList<>();
        final AtomicInteger closeCode = new AtomicInteger();

        RawClient(URI uri) {
            super(uri);
        }

        static RawClient open(URI uri) throws InterruptedException {
            RawClient client = new RawClient(uri);
            assertThat(client.connectBlocking()).isTrue();
            return client;
        }

        void awaitClosed() {
            await().atMost(Duration.ofSeconds(10)).until(() -> closeCode.get() != 0);
        }

        List<ErrorCode> errorCodes(TestingPluginContext context) {
            return texts.stream().map(t -> context.codec("json").decode(t.getBytes(StandardCharsets.UTF_8)))
                    .map(m -> ((ErrorMessage) m).code()).toList();
        }

        List<Message> binaryErrorCodes(TestingPluginContext context) {
            return binaries.stream().map(b -> context.codec("cbor").decode(b)).filter(m -> m instanceof ErrorMessage).toList();
        }

        @Override
        public void onOpen(ServerHandshake handshake) {}

        @Override
        public void onMessage(String message) {
            texts.add(message);
        }

        @Override
        public void onMessage(ByteBuffer bytes) {
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            binaries.add(copy);
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
            closeCode.set(code == 0 ? -1 : code);
        }

        @Override
        public void onError(Exception ex) {}
    }
}
