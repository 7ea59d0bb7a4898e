package io.pocketsync.benchmarks;

import static org.awaitility.Awaitility.await;

import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Scope;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.SyncStatusListener;
import io.pocketsync.server.engine.ServerListener;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A new user's first sync of a big table: a device database that already holds {@code rows} rows of {@code items}
 * (about 90 bytes a row) installs capture, seals every existing row and pushes them all to a real server (in this JVM,
 * over WebSocket on loopback, SQLite store) until every change is acknowledged, with a status listener registered as
 * the sidecar's progress lines have. The baseline is the floor no sync can beat: the same rows copied into a fresh
 * file with {@code ATTACH} and {@code INSERT ... SELECT}, in the same run, rounds alternating.
 *
 * <p>Besides the ratio it prints each product round's timeline (when install returned, the first PUSH, the server
 * holding half and all rows, the last ACK), the CPU time the JVM spent, and the peak heap of the JVM, which holds
 * both the device and the server.
 */
final class BulkPushBenchmark {
    private static final String SCOPE = "bench-bulk";

    private final Path dir;
    private final int rows;
    private final Path source;
    private int counter;

    BulkPushBenchmark(Path dir, int rows) {
        this.dir = dir;
        this.rows = rows;
        this.source = dir.resolve("bulk-source-" + rows + ".db");
    }

    /**
     * @param rounds product rounds (the median is reported), each next to a bare copy
     * @param heap whether to add the peak heap row (a run at a smaller size, for the chart, adds only the rate)
     */
    List<Measurement> run(int rounds, boolean heap) throws Exception {
        createSource(source, rows);
        List<Measurement> out = new ArrayList<>();
        double[] product = new double[rounds];
        double[] baseline = new double[rounds];
        long peakHeap = 0;
        bulkPush(Math.max(1, rows / 20)); // warm-up of the JIT on a smaller table
        bareCopy();
        for (int i = 0; i < rounds; i++) {
            baseline[i] = bareCopy().perSecond();
            System.gc();
            HeapPeaks.reset();
            long cpu = processCpuNanos();
            Round round = bulkPush(rows);
            cpu = processCpuNanos() - cpu;
            product[i] = round.sample.perSecond();
            peakHeap = Math.max(peakHeap, HeapPeaks.bytes());
            System.out.printf(Locale.ROOT, "bulk round %d: %,d rows in %.2f s (%,.0f rows/s) vs bare copy %,.0f rows/s: %.3fx;"
                    + " peak heap %d MiB; CPU of the JVM %.1f s (%.1f us a row)%n  timeline: %s%n", i + 1, rows,
                    round.sample.nanos() / 1e9, product[i], baseline[i], product[i] / baseline[i], HeapPeaks.bytes() >> 20, cpu / 1e9,
                    cpu / 1e3 / rows, round.timeline);
        }
        java.util.Arrays.sort(product);
        java.util.Arrays.sort(baseline);
        out.add(new Measurement("bulk: install + seal + push " + String.format(Locale.ROOT, "%,d", rows)
                + " existing rows until all acked (WebSocket, SQLite store)", product[rounds / 2], baseline[rounds / 2], "rows/s",
                "ATTACH + INSERT ... SELECT into a fresh file", true, 0.05));
        if (heap) {
            out.add(Measurement.of("bulk: peak heap, device and server in one JVM", peakHeap >> 20, Double.NaN, "MiB", "", false));
        }
        delete(source);
        return out;
    }

    /** The floor: the same rows copied into a fresh file in one statement. */
    private Timing.Sample bareCopy() throws Exception {
        Path file = dir.resolve("bulk-copy-" + (counter++) + ".db");
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute(BenchDevice.SCHEMA);
            long start = System.nanoTime();
            statement.execute("ATTACH DATABASE '" + source + "' AS src");
            statement.execute("INSERT INTO items SELECT * FROM src.items");
            statement.execute("DETACH DATABASE src");
            return Timing.Sample.since(start, rows);
        }
        finally {
            delete(file);
        }
    }

    private Round bulkPush(int count) throws Exception {
        int n = counter++;
        Path file = dir.resolve("bulk-device-" + n + ".db");
        Path table = count == rows ? source : dir.resolve("bulk-warmup-" + n + ".db");
        if (count != rows) {
            createSource(table, count);
        }
        Files.copy(table, file, StandardCopyOption.REPLACE_EXISTING);
        AtomicLong stored = new AtomicLong();
        AtomicLong half = new AtomicLong();
        AtomicLong all = new AtomicLong();
        Timeline timeline = new Timeline();
        AtomicLong applies = new AtomicLong();
        AtomicLong applyNanos = new AtomicLong();
        try (BenchServer server = new BenchServer(dir.resolve("bulk-server-" + n), SCOPE, null, null, new ServerListener() {
            @Override
            public void changesApplied(Scope scope, int changes) {
                long now = stored.addAndGet(changes);
                if (now >= count / 2) {
                    half.compareAndSet(0, System.nanoTime());
                }
                if (now >= count) {
                    all.compareAndSet(0, System.nanoTime());
                }
            }

            @Override
            public void storeLatency(String operation, Duration duration) {
                if (operation.equals("apply")) {
                    applies.incrementAndGet();
                    applyNanos.addAndGet(duration.toNanos());
                }
            }
        })) {
            ProgressListener progress = new ProgressListener();
            long start = System.nanoTime();
            timeline.start = start;
            try (PocketSyncDevice device = PocketSyncDevice.builder().database(file).tables("items").scope(SCOPE)
                    .token(BenchServer.TOKEN).server(server.webSocketUri()).transport("websocket").statusListener(progress)
                    .build()) {
                timeline.mark("built (install)");
                device.start();
                timeline.mark("started");
                // the server's count first (its listener marks "all"), then the device's last ACK
                Duration limit = Duration.ofMinutes(20);
                await("the server to store all " + count + " rows").atMost(limit).pollInterval(Duration.ofMillis(5))
                        .until(() -> all.get() != 0);
                // a call the engine thread does not answer within 10 s (it is busy, e.g. checksumming the table) is
                // counted and asked again: the figure is the time until everything is acknowledged
                AtomicInteger busy = new AtomicInteger();
                await("the device's last ACK").atMost(limit).pollInterval(Duration.ofMillis(5)).until(() -> {
                    try {
                        return device.pendingCount() == 0;
                    }
                    catch (PocketSyncException e) {
                        busy.incrementAndGet();
                        return false;
                    }
                });
                Timing.Sample sample = Timing.Sample.since(start, count);
                timeline.at("first PUSH", progress.firstPush.get());
                timeline.at("server has half", half.get());
                timeline.at("server has all", all.get());
                timeline.mark("all acked");
                timeline.note("progress events " + progress.events.get());
                // the server's store batches: how many pages each commit held, and the time the store took
                timeline.note(String.format(Locale.ROOT, "store batches %d (%.0f rows each), store %.2f s", applies.get(),
                        (double) stored.get() / Math.max(1, applies.get()), applyNanos.get() / 1e9));
                if (busy.get() > 0) {
                    timeline.note("engine busy over 10 s " + busy.get() + " times");
                }
                return new Round(sample, timeline.toString());
            }
        }
        finally {
            delete(file);
            delete(dir.resolve("bulk-server-" + n));
            if (count != rows) {
                delete(table);
            }
        }
    }

    /** Records the first PUSH; being registered makes the device keep its pending count current, as the sidecar's does. */
    private static final class ProgressListener extends SyncStatusListener {
        final AtomicLong firstPush = new AtomicLong();
        final AtomicLong events = new AtomicLong();

        @Override
        public void pushing(int changes, long pending) {
            firstPush.compareAndSet(0, System.nanoTime());
            events.incrementAndGet();
        }
    }

    private record Round(Timing.Sample sample, String timeline) {}

    /** Stage times in seconds from the start of the round. */
    private static final class Timeline {
        long start;
        private final StringBuilder text = new StringBuilder();

        void mark(String stage) {
            at(stage, System.nanoTime());
        }

        void at(String stage, long nanos) {
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append(stage).append(' ').append(nanos == 0 ? "-" : String.format(Locale.ROOT, "%.2f s", (nanos - start) / 1e9));
        }

        void note(String what) {
            text.append(", ").append(what);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }

    /** A database with {@code count} rows of {@code items}, about 90 bytes each. */
    static void createSource(Path file, int count) throws Exception {
        if (Files.exists(file)) {
            return;
        }
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            statement.execute(BenchDevice.SCHEMA);
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO items (id, name, qty, price, note) VALUES (?, ?, ?, ?, ?)")) {
                for (int i = 0; i < count; i++) {
                    insert.setString(1, String.format(Locale.ROOT, "item-%08d", i));
                    insert.setString(2, "name of item " + i);
                    insert.setInt(3, i);
                    insert.setDouble(4, i * 1.5);
                    insert.setString(5, "a note that makes the row about ninety bytes, " + i);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            connection.commit();
        }
    }

    /** CPU time of this JVM (device, server and benchmark): less disturbed by a loaded machine than wall time. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Deletes a directory tree, or a database file with its WAL and shared-memory files. */
    static void delete(Path file) throws Exception {
        if (Files.isDirectory(file)) {
            try (var paths = Files.walk(file)) {
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
            return;
        }
        Files.deleteIfExists(file);
        Files.deleteIfExists(Path.of(file + "-wal"));
        Files.deleteIfExists(Path.of(file + "-shm"));
    }
}
