package io.pocketsync.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.transport.Connection;
import io.pocketsync.testkit.transport.RecordingAcceptor;
import io.pocketsync.testkit.transport.StalledWebSocketClient;
import io.pocketsync.testkit.transport.TestingPluginContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code max-queued-bytes} against a device that stops reading on a real socket: the server holds about its byte
 * budget for it and no more, counts exactly what it holds (back to 0 once the device has read everything), and tells
 * it to catch up once it reads again.
 */
class WebSocketQueuedBytesIT {
    private static final long BUDGET = 256 * 1024;
    private static final int PAYLOAD = 32 * 1024;

    private final TestingPluginContext context = new TestingPluginContext("server");
    private final Codec json = context.codec("json");
    private final RecordingAcceptor acceptor = new RecordingAcceptor();
    private WebSocketServerTransport server;

    @BeforeEach
    void start() {
        server = new WebSocketServerTransport(WebSocketServerConfig.from(PluginConfig.of("transport.websocket",
                Map.of("port", "0", "max-queued-bytes", Long.toString(BUDGET)))), context);
        server.start(acceptor);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aDeviceThatDoesNotReadHoldsItsByteBudgetAndNoMoreThenCatchesUp() throws Exception {
        try (StalledWebSocketClient device = StalledWebSocketClient.connect(server.uri(), 4096)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> acceptor.connections().size() == 1);
            Connection connection = acceptor.connections().get(0).connection();
            Message big = new ErrorMessage(ProtocolVersion.CURRENT, ErrorCode.INTERNAL, "x".repeat(PAYLOAD), null);
            int encoded = json.encode(big).length;

            // The kernel's socket buffers take some megabytes first, and a burst faster than the selector thread can
            // spend the budget for a moment (the device is told to catch up, and sending resumes once half is
            // written). Once the kernel holds all it takes, the queue fills to the budget and stays there.
            AtomicInteger sent = new AtomicInteger();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> {
                if (connection.send(big)) {
                    sent.incrementAndGet();
                    return false;
                }
                return connection.queuedBytes() > BUDGET / 2;
            });
            assertThat(connection.queuedBytes()).isLessThanOrEqualTo(BUDGET + encoded + 16);
            for (int i = 0; i < 100; i++) {
                assertThat(connection.send(big)).isFalse();
            }
            assertThat(connection.queuedBytes()).isGreaterThan(BUDGET / 2).isLessThanOrEqualTo(BUDGET + encoded + 16);

            // it reads again: every message queued arrives, then the CATCH_UP_REQUIRED it is owed
            int received = 0;
            boolean toldAfterLast = false;
            while (received < sent.get() || !toldAfterLast) {
                byte[] bytes = device.readMessage();
                assertThat(bytes).as("connection still open after %d messages", received).isNotNull();
                if (json.decode(bytes) instanceof ErrorMessage error && error.code() == ErrorCode.CATCH_UP_REQUIRED) {
                    toldAfterLast = true;
                }
                else {
                    received++;
                    toldAfterLast = false;
                }
            }
            assertThat(received).isEqualTo(sent.get());
            // frames, pings and the handshake all counted: what was built and what was written meet again
            await().atMost(Duration.ofSeconds(10)).until(() -> connection.queuedBytes() == 0);
            assertThat(connection.send(big)).isTrue();
            assertThat(json.decode(device.readMessage())).isEqualTo(big);
        }
    }
}
