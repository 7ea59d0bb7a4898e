package io.pocketsync.benchmarks;

import static org.awaitility.Awaitility.await;

import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import javax.management.ObjectName;
import org.awaitility.core.ConditionTimeoutException;
import org.java_websocket.server.WebSocketServer;

/**
 * Fan-out, connected devices per server node (docs/benchmarks.md): N concurrent WebSocket devices in one scope on
 * one server node; the server's heap per connection and the latency of a broadcast (one device pushes one change,
 * time until each other device has it: p50/p99 over all deliveries), against a raw Java-WebSocket server that
 * forwards a message of the same size from one client to all N.
 *
 * <p>The devices run in a process of their own ({@link FanOutClients}, the same client for both sides), so the heap
 * per connection is this JVM's: used heap after a full GC with all N connected less the same with the server idle,
 * divided by N. With {@code -Dps.bench.histograms=DIR} the class histograms of both moments are written there, to
 * see what a connection holds.
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
        Result baseline = baseline();
        Result subject = pocketSync();
        String n = connections + " connections";
        String chart = String.format(java.util.Locale.ROOT, "Fan-out: one change to %,d devices", connections - 1);
        LatencyLog.record(chart, "PocketSync", subject.latencies);
        LatencyLog.record(chart, "raw Java-WebSocket broadcast", baseline.latencies);
        return List.of(
                Measurement.of("fan-out: server heap per connection, " + n, subject.heapPerConnection,
                        baseline.heapPerConnection, "bytes", "raw Java-WebSocket server", false),
                Measurement.of("fan-out: broadcast latency p50, " + n, subject.percentile(50), baseline.percentile(50), "ms",
                        "raw Java-WebSocket broadcast", false),
                Measurement.of("fan-out: broadcast latency p99, " + n, subject.percentile(99), baseline.percentile(99), "ms",
                        "raw Java-WebSocket broadcast", false),
                Measurement.of("fan-out: errors, " + n, subject.errors, baseline.errors, "count", "raw Java-WebSocket", false));
    }

    /** What one side measured: server heap per connection, sorted latencies in ns, and errors the clients saw. */
    private record Result(double heapPerConnection, long[] latencies, int errors) {
        double percentile(double p) {
            return Timing.percentileMillis(latencies, p);
        }
    }

    private Result pocketSync() throws Exception {
        try (BenchServer server = new BenchServer(dir.resolve("connections"), SCOPE, null, null)) {
            String hello = text(new Hello(ProtocolVersion.CURRENT, "dev-{i}", SCOPE, BenchServer.TOKEN, 0, Hlc.ZERO));
            return measure("pocketsync", server.webSocketUri(), hello, "\"type\":\"WELCOME\"", "\"type\":\"ERROR\"", round -> {
                String changeId = "bench-" + round + "-" + UUID.randomUUID();
                Change change = new Change(changeId, "item", "g-" + round, Op.INSERT, Map.of("id", "r" + round, "qty", 1L),
                        List.of(), Hlc.of(System.currentTimeMillis(), 0), "dev-0");
                return changeId + "\t" + text(new Push(ProtocolVersion.CURRENT, "b-" + round, List.of(change)));
            });
        }
    }

    /** The same shape with a raw Java-WebSocket server that forwards what client 0 sends to every client. */
    private Result baseline() throws Exception {
        AtomicReference<WebSocketServer> self = new AtomicReference<>();
        WebSocketServer server = RawWebSocketServer.start(true, (conn, message) -> {
            if (message.startsWith("hello")) {
                conn.send("welcome");
            }
            else {
                self.get().broadcast(message); // encoded once, the same frame queued on every connection
            }
        });
        self.set(server);
        try {
            String padding = "x".repeat(300); // about the size of a one-change CHANGES message in JSON
            return measure("raw", URI.create("ws://127.0.0.1:" + server.getPort()), "hello {i}", "welcome", "~no error message in the raw protocol~",
                    round -> "m-" + round + " \t" + "m-" + round + " " + padding);
        }
        finally {
            // the client process has exited: let the server see its sockets close before it stops (stopping with
            // 10,000 open makes Java-WebSocket race its own selector)
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> server.getConnections().isEmpty());
            }
            catch (ConditionTimeoutException e) {
                // sockets still open after 30 s: stop anyway, as a stop is all that is left to do
            }
            server.stop(5000);
        }
    }

    /**
     * Connects the client process to {@code uri}, measures the heap the connections hold here, runs the rounds
     * ({@code roundLine} gives each round's marker, a tab, and what client 0 sends) and reads the latencies back.
     */
    private Result measure(String side, URI uri, String opening, String welcome, String error, IntFunction<String> roundLine)
            throws Exception {
        Path samples = Files.createTempFile(dir, "fanout-" + side, ".bin");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process clients = new ProcessBuilder(java, "-Xmx2g", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                FanOutClients.class.getName(), uri.toString(), Integer.toString(connections), Integer.toString(rounds),
                welcome, error, samples.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            PrintStream toClients = new PrintStream(clients.getOutputStream(), true, StandardCharsets.UTF_8);
            BufferedReader fromClients = new BufferedReader(new InputStreamReader(clients.getInputStream(), StandardCharsets.UTF_8));
            histogram(side + "-idle");
            long idle = usedHeap();
            toClients.println(opening);
            expect(fromClients, "READY", side);
            long connected = usedHeap();
            histogram(side + "-connected");
            toClients.println("GO");
            for (int round = 0; round < rounds + 1; round++) {
                toClients.println(roundLine.apply(round));
            }
            String done = expect(fromClients, "DONE", side);
            if (!clients.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(side + " clients did not exit");
            }
            return new Result((connected - idle) / (double) connections, read(samples),
                    Integer.parseInt(done.substring("DONE ".length())));
        }
        finally {
            clients.destroyForcibly();
        }
    }

    private static String expect(BufferedReader in, String word, String side) throws IOException {
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith(word)) {
                return line;
            }
        }
        throw new IllegalStateException(side + " clients ended before " + word + " (see their stderr above)");
    }

    private static long[] read(Path file) throws IOException {
        List<Long> values = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            while (true) {
                values.add(in.readLong());
            }
        }
        catch (EOFException end) {
            // all read
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted;
    }

    private String text(io.pocketsync.api.protocol.Message message) {
        return new String(json.encode(message), StandardCharsets.UTF_8);
    }

    private static long usedHeap() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /** With {@code ps.bench.histograms} set, writes this JVM's class histogram (after a full GC) to {@code DIR/name.txt}. */
    private static void histogram(String name) throws Exception {
        String target = System.getProperty("ps.bench.histograms");
        if (target == null) {
            return;
        }
        Object text = ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "gcClassHistogram", new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Files.createDirectories(Path.of(target));
        Files.writeString(Path.of(target, name + ".txt"), String.valueOf(text));
    }
}
