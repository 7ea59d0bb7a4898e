package io.pocketsync.benchmarks;

import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Welcome;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.java_websocket.WebSocket;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * Fan-out, connected devices per server node (docs/benchmarks.md): N concurrent WebSocket devices (raw
 * protocol clients, one scope) on one server node; heap per connection and the latency of a broadcast
 * (one device pushes one change, time until each other device has it: p50/p99 over all deliveries),
 * against a raw Java-WebSocket server that broadcasts a message of the same size to N raw clients.
 * Both sides' clients live in this JVM, so heap per connection includes one client each.
 */
final class ConnectionsBenchmark {
    private static final String SCOPE = "bench-connections";

    private final Path dir;
    private final int connections;
    private final int rounds;
    private final Codec json = new BenchContext("connections").codec("json");

    ConnectionsBenchmark(Path dir, int connections, int rounds) {
        this.dir = dir;
        this.connections = connections;
        this.rounds = rounds;
    }

    List<Measurement> run() throws Exception {
        double[] baseline = baseline();
        double[] subject = pocketSync();
        String n = connections + " connections";
        return List.of(
                Measurement.of("fan-out: heap per connection, " + n, subject[0], baseline[0], "bytes",
                        "raw Java-WebSocket server + client", false),
                Measurement.of("fan-out: broadcast latency p50, " + n, subject[1], baseline[1], "ms",
                        "raw Java-WebSocket broadcast", false),
                Measurement.of("fan-out: broadcast latency p99, " + n, subject[2], baseline[2], "ms",
                        "raw Java-WebSocket broadcast", false),
                Measurement.of("fan-out: errors, " + n, subject[3], baseline[3], "count", "raw Java-WebSocket", false));
    }

    /** {heap bytes per connection, p50 ms, p99 ms, errors} for PocketSync. */
    private double[] pocketSync() throws Exception {
        long before = usedHeap();
        try (BenchServer server = new BenchServer(dir.resolve("connections"), SCOPE, null, null)) {
            List<Client> clients = new ArrayList<>();
            CountDownLatch welcomed = new CountDownLatch(connections);
            for (int i = 0; i < connections; i++) {
                Client client = new Client(server.webSocketUri(), "dev-" + i, welcomed);
                client.connect();
                clients.add(client);
            }
            if (!welcomed.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + (connections - welcomed.getCount()) + " devices welcomed");
            }
            double heap = (usedHeap() - before) / (double) connections;
            ConcurrentLinkedQueue<Long> samples = new ConcurrentLinkedQueue<>();
            for (int round = 0; round < rounds + 1; round++) {
                CountDownLatch delivered = new CountDownLatch(connections - 1);
                String changeId = "bench-" + round + "-" + UUID.randomUUID();
                long sent = System.nanoTime();
                for (Client client : clients) {
                    client.expect(changeId, sent, delivered, round == 0 ? null : samples);
                }
                Change change = new Change(changeId, "item", "g-" + round, Op.INSERT, Map.of("id", "r" + round, "qty", 1L),
                        List.of(), Hlc.of(System.currentTimeMillis(), 0), "dev-0");
                clients.get(0).sendMessage(new Push(ProtocolVersion.CURRENT, "b-" + round, List.of(change)));
                if (!delivered.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("broadcast " + round + " reached " + (connections - 1 - delivered.getCount())
                            + " of " + (connections - 1) + " devices");
                }
            }
            int errors = 0;
            for (Client client : clients) {
                errors += client.errors.get();
                client.close();
            }
            return summary(heap, samples, errors);
        }
    }

    /** The same shape with a raw Java-WebSocket server broadcasting a message of similar size. */
    private double[] baseline() throws Exception {
        long before = usedHeap();
        WebSocketServer server = RawWebSocketServer.start(false, (conn, message) -> conn.send("welcome"));
        URI uri = URI.create("ws://127.0.0.1:" + server.getPort());
        List<RawClient> clients = new ArrayList<>();
        CountDownLatch welcomed = new CountDownLatch(connections);
        for (int i = 0; i < connections; i++) {
            RawClient client = new RawClient(uri, welcomed);
            client.connect();
            clients.add(client);
        }
        if (!welcomed.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("raw baseline: not every client connected");
        }
        double heap = (usedHeap() - before) / (double) connections;
        ConcurrentLinkedQueue<Long> samples = new ConcurrentLinkedQueue<>();
        String padding = "x".repeat(300); // about the size of a one-change CHANGES message in JSON
        for (int round = 0; round < rounds + 1; round++) {
            CountDownLatch delivered = new CountDownLatch(connections);
            String marker = "m-" + round;
            long sent = System.nanoTime();
            for (RawClient client : clients) {
                client.expect(marker, sent, delivered, round == 0 ? null : samples);
            }
            server.broadcast(marker + " " + padding);
            if (!delivered.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("raw broadcast did not reach every client");
            }
        }
        int errors = 0;
        for (RawClient client : clients) {
            errors += client.errors.get();
            client.close();
        }
        server.stop(1000);
        return summary(heap, samples, errors);
    }

    private static double[] summary(double heap, ConcurrentLinkedQueue<Long> samples, int errors) {
        long[] sorted = samples.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return new double[] {heap, Timing.percentileMillis(sorted, 50), Timing.percentileMillis(sorted, 99), errors};
    }

    private static long usedHeap() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /** Expectation of one broadcast round, set before the message is sent. */
    private record Expected(String id, long sentNanos, CountDownLatch delivered, ConcurrentLinkedQueue<Long> samples) {}

    /** A raw protocol client: HELLO, then records when the expected change arrives live. */
    private final class Client extends WebSocketClient {
        private final String deviceId;
        private final CountDownLatch welcomed;
        final AtomicInteger errors = new AtomicInteger();
        private volatile Expected expected;

        Client(URI uri, String deviceId, CountDownLatch welcomed) {
            super(uri);
            this.deviceId = deviceId;
            this.welcomed = welcomed;
        }

        void expect(String id, long sent, CountDownLatch delivered, ConcurrentLinkedQueue<Long> samples) {
            expected = new Expected(id, sent, delivered, samples);
        }

        void sendMessage(Message message) {
            send(new String(json.encode(message), StandardCharsets.UTF_8));
        }

        @Override
        public void onOpen(ServerHandshake handshake) {
            sendMessage(new Hello(ProtocolVersion.CURRENT, deviceId, SCOPE, BenchServer.TOKEN, 0, Hlc.ZERO));
        }

        @Override
        public void onMessage(String text) {
            long now = System.nanoTime();
            Message message = json.decode(text.getBytes(StandardCharsets.UTF_8));
            if (message instanceof Welcome) {
                welcomed.countDown();
            }
            else if (message instanceof Changes changes) {
                Expected e = expected;
                if (e != null && changes.changes().stream().anyMatch(c -> c.changeId().equals(e.id()))) {
                    if (e.samples() != null) {
                        e.samples().add(now - e.sentNanos());
                    }
                    e.delivered().countDown();
                }
            }
            else if (message instanceof ErrorMessage) {
                errors.incrementAndGet();
            }
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
            if (remote && code != 1000) {
                errors.incrementAndGet();
            }
        }

        @Override
        public void onError(Exception ex) {
            errors.incrementAndGet();
        }
    }

    /** The baseline's client. */
    private static final class RawClient extends WebSocketClient {
        private final CountDownLatch welcomed;
        final AtomicInteger errors = new AtomicInteger();
        private volatile Expected expected;

        RawClient(URI uri, CountDownLatch welcomed) {
            super(uri);
            this.welcomed = welcomed;
        }

        void expect(String id, long sent, CountDownLatch delivered, ConcurrentLinkedQueue<Long> samples) {
            expected = new Expected(id, sent, delivered, samples);
        }

        @Override
        public void onOpen(ServerHandshake handshake) {
            send("hello");
        }

        @Override
        public void onMessage(String text) {
            long now = System.nanoTime();
            if (text.equals("welcome")) {
                welcomed.countDown();
                return;
            }
            Expected e = expected;
            if (e != null && text.startsWith(e.id() + " ")) {
                if (e.samples() != null) {
                    e.samples().add(now - e.sentNanos());
                }
                e.delivered().countDown();
            }
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
            if (remote && code != 1000) {
                errors.incrementAndGet();
            }
        }

        @Override
        public void onError(Exception ex) {
            errors.incrementAndGet();
        }
    }
}
