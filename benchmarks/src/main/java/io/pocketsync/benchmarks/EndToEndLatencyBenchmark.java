package io.pocketsync.benchmarks;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * End-to-end latency over WebSocket: device A commits a row, device B has applied it (B's watch
 * listener fired), p50 and p99; against a raw Java-WebSocket echo round trip of a message of the same
 * size in the same run (the same two network hops). Targets p50 <= 2 ms, p99 <= 10 ms.
 *
 * <p>The raw echo server gets the same help as PocketSync's WebSocket server against Java-WebSocket's lost
 * write wake-up (transport-websocket's {@code StalledWriteWatchdog}): a reply still queued after a millisecond
 * is woken, otherwise one round trip in a few thousand would wait forever.
 */
final class EndToEndLatencyBenchmark {
    private static final String SCOPE = "bench-latency";

    private final Path dir;
    private final int samples;

    EndToEndLatencyBenchmark(Path dir, int samples) {
        this.dir = dir;
        this.samples = samples;
    }

    List<Measurement> run() throws Exception {
        long[] echo = rawEcho();
        long[] sync = commitToApplied();
        LatencyLog.record("End to end: commit on A to applied on B", "PocketSync (WebSocket)", sync);
        LatencyLog.record("End to end: commit on A to applied on B", "raw Java-WebSocket echo round trip", echo);
        return List.of(
                new Measurement("e2e latency A commit -> B applied, WebSocket, p50", Timing.percentileMillis(sync, 50),
                        Timing.percentileMillis(echo, 50), "ms", "raw Java-WebSocket echo round trip p50", false, Double.NaN),
                new Measurement("e2e latency A commit -> B applied, WebSocket, p99", Timing.percentileMillis(sync, 99),
                        Timing.percentileMillis(echo, 99), "ms", "raw Java-WebSocket echo round trip p99", false, Double.NaN));
    }

    private long[] commitToApplied() throws Exception {
        try (BenchServer server = new BenchServer(dir.resolve("latency"), SCOPE, null, null);
                BenchDevice a = new BenchDevice(dir.resolve("latency-a.db"), server.webSocketUri(), SCOPE, "websocket", Map.of());
                BenchDevice b = new BenchDevice(dir.resolve("latency-b.db"), server.webSocketUri(), SCOPE, "websocket", Map.of())) {
            BlockingQueue<Long> applied = new LinkedBlockingQueue<>();
            b.device.watch("items", (table, remote) -> {
                if (remote) {
                    applied.add(System.nanoTime());
                }
            });
            a.device.start();
            b.device.start();
            long[] latencies = new long[samples];
            // The app writes through the device's own connection: its commit hook wakes the engine.
            try (Connection connection = a.device.connection(); PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO items (id, name, qty, price, note) VALUES (?, ?, ?, ?, ?)")) {
                int warmup = Math.max(20, samples / 10);
                for (int i = -warmup; i < samples; i++) {
                    applied.clear();
                    insert.setString(1, "row-" + i);
                    insert.setString(2, "name " + i);
                    insert.setInt(3, i);
                    insert.setDouble(4, i * 1.5);
                    insert.setString(5, "latency probe " + i);
                    long start = System.nanoTime();
                    insert.executeUpdate();
                    Long end = applied.poll(10, TimeUnit.SECONDS);
                    if (end == null) {
                        throw new IllegalStateException("row " + i + " never reached device B");
                    }
                    if (i >= 0) {
                        latencies[i] = end - start;
                    }
                }
            }
            Arrays.sort(latencies);
            return latencies;
        }
    }

    /** The echo's arrival time; a reply stalled in the server's queue is woken after a millisecond. */
    private static Long awaitEcho(WebSocketServer echo, BlockingQueue<Long> replies) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0) {
            Long end = replies.poll(1, TimeUnit.MILLISECONDS);
            if (end != null) {
                return end;
            }
            for (WebSocket connection : echo.getConnections()) {
                if (connection instanceof WebSocketImpl impl && !impl.outQueue.isEmpty()) {
                    echo.onWriteDemand(connection);
                }
            }
        }
        throw new IllegalStateException("no echo");
    }

    private long[] rawEcho() throws Exception {
        WebSocketServer echo = RawWebSocketServer.start(true, WebSocket::send);
        BlockingQueue<Long> replies = new LinkedBlockingQueue<>();
        WebSocketClient client = new WebSocketClient(URI.create("ws://127.0.0.1:" + echo.getPort())) {
            @Override
            public void onOpen(ServerHandshake handshake) {}

            @Override
            public void onMessage(String message) {
                replies.add(System.nanoTime());
            }

            @Override
            public void onClose(int code, String reason, boolean remote) {}

            @Override
            public void onError(Exception ex) {}
        };
        client.setTcpNoDelay(true);
        try {
            if (!client.connectBlocking(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("echo client did not connect");
            }
            String payload = "{\"type\":\"CHANGES\",\"v\":1,\"mode\":\"LIVE\",\"changes\":[{\"id\":\"0123456789abcdef0123456789abcdef\","
                    + "\"table\":\"items\",\"gid\":\"0123456789abcdef0123456789abcdef\",\"op\":\"INSERT\",\"row\":{\"id\":\"row-1\","
                    + "\"name\":\"name 1\",\"qty\":1,\"price\":1.5,\"note\":\"latency probe 1\"},\"cols\":[],\"hlc\":111550000000000,"
                    + "\"device\":\"device-a\"}],\"from\":1,\"cursor\":2,\"more\":false,\"remaining\":0}";
            long[] rtts = new long[samples];
            int warmup = Math.max(20, samples / 10);
            for (int i = -warmup; i < samples; i++) {
                long start = System.nanoTime();
                client.send(payload);
                Long end = awaitEcho(echo, replies);
                if (i >= 0) {
                    rtts[i] = end - start;
                }
            }
            Arrays.sort(rtts);
            return rtts;
        }
        finally {
            client.closeBlocking();
            echo.stop(1000);
        }
    }
}
