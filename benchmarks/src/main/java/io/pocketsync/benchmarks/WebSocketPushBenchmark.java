package io.pocketsync.benchmarks;

import io.pocketsync.api.model.Scope;
import io.pocketsync.server.engine.ServerListener;
import io.pocketsync.transport.websocket.WebSocketClientConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.java_websocket.WebSocket;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * How many changes/s one device can push over WebSocket: from the commit of N rows on the device until the
 * server has stored all N (its {@code changesApplied} events), against raw Java-WebSocket sending N text
 * messages of the same size (the size of one change inside a PUSH in the WebSocket device's default codec) from a
 * client to a server that counts them, in the same run. Target (issue #22): at least 0.5x of the raw
 * one-way message rate. PocketSync batches (up to 1000 changes a PUSH, 4 in flight), stores each batch in one SQLite
 * transaction and answers each with an ACK; the raw client sends one message per change and stores nothing.
 *
 * <p>Rounds alternate like the MQTT benchmark's, after warm-up rounds of each side (the JIT, see there).
 */
final class WebSocketPushBenchmark {
    private static final String SCOPE = "bench-push";
    private static final int WARMUP_ROUNDS = 10;
    private static final int MEASURED_ROUNDS = 9;

    private final Path dir;
    private final int changes;

    WebSocketPushBenchmark(Path dir, int changes) {
        this.dir = dir;
        this.changes = changes;
    }

    Measurement run(boolean quick) throws Exception {
        int bytes = Workload.bytesPerChange(WebSocketClientConfig.DEFAULT_CODEC);
        double[] result;
        try (RawWebSocket raw = new RawWebSocket(bytes); Pushing pushing = new Pushing()) {
            result = quick ? Timing.interleaved(2, 3, pushing::round, raw::round)
                    : Timing.interleaved(WARMUP_ROUNDS, MEASURED_ROUNDS, pushing::round, raw::round);
        }
        return new Measurement("WebSocket push, " + changes + " changes from one device, commit -> stored", result[0], result[1],
                "changes/s", "raw Java-WebSocket client -> server, " + bytes + "-byte text messages", true, 0.5);
    }

    /** A server and one device on WebSocket; each round the device's app commits N new rows. */
    private final class Pushing implements AutoCloseable {
        private final Semaphore stored = new Semaphore(0);
        private final BenchServer server;
        private final BenchDevice device;
        private int round;

        Pushing() throws Exception {
            server = new BenchServer(dir.resolve("push"), SCOPE, null, null, new ServerListener() {
                @Override
                public void changesApplied(Scope scope, int count) {
                    stored.release(count);
                }
            });
            try {
                device = new BenchDevice(dir.resolve("push-device.db"), server.webSocketUri(), SCOPE, "websocket", Map.of());
                device.device.start();
                server.awaitSessions(1, Duration.ofSeconds(30));
            }
            catch (Exception | Error e) {
                server.close();
                throw e;
            }
        }

        Timing.Sample round() throws Exception {
            int r = round++;
            long start = System.nanoTime();
            device.insertRows(r, changes);
            if (!stored.tryAcquire(changes, 120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the server stored " + stored.availablePermits() + " of " + changes + " changes");
            }
            return Timing.Sample.since(start, changes);
        }

        @Override
        public void close() {
            try (server; device) {
                // closes the device, then the server
            }
        }
    }

    /** Raw Java-WebSocket: one client sending N text messages a round to a server that counts them. */
    private final class RawWebSocket implements AutoCloseable {
        private final String payload;
        private final Semaphore received = new Semaphore(0);
        private final WebSocketServer server;
        private final WebSocketClient client;

        RawWebSocket(int payloadBytes) throws Exception {
            payload = "x".repeat(payloadBytes);
            server = RawWebSocketServer.start(true, (conn, message) -> received.release());
            client = new WebSocketClient(URI.create("ws://127.0.0.1:" + server.getPort())) {
                @Override
                public void onOpen(ServerHandshake handshake) {}

                @Override
                public void onMessage(String message) {}

                @Override
                public void onClose(int code, String reason, boolean remote) {}

                @Override
                public void onError(Exception ex) {}
            };
            client.setTcpNoDelay(true);
            if (!client.connectBlocking(10, TimeUnit.SECONDS)) {
                server.stop(1000);
                throw new IllegalStateException("raw WebSocket client did not connect");
            }
        }

        Timing.Sample round() throws Exception {
            long start = System.nanoTime();
            for (int i = 0; i < changes; i++) {
                client.send(payload);
            }
            if (!received.tryAcquire(changes, 120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("raw server got " + received.availablePermits() + " of " + changes);
            }
            return Timing.Sample.since(start, changes);
        }

        @Override
        public void close() throws Exception {
            client.closeBlocking();
            server.stop(1000);
        }
    }
}
