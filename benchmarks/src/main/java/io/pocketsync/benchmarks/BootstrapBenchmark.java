package io.pocketsync.benchmarks;

import io.pocketsync.device.CatchUpProgress;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.SyncStatusListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A new, empty device bootstraps a table of N rows (about 90 bytes each) from a server over WebSocket loopback, until
 * it is caught up, against the floor no sync can beat: the same rows copied locally with {@code ATTACH} and
 * {@code INSERT ... SELECT} into a fresh file, in the same run. The server runs in a JVM of its own
 * ({@link BootstrapServerMain}) so that each side's peak heap is its own. {@link BootstrapStages} then times the stages
 * of the same pages one after the other.
 */
final class BootstrapBenchmark {
    static final String SCOPE = "bench-bootstrap";

    private final Path dir;
    private final int rows;

    BootstrapBenchmark(Path dir, int rows) {
        this.dir = dir;
        this.rows = rows;
    }

    /**
     * @param details whether to add the peak heaps, CPU times and per-stage figures besides the rate and the time (a
     *        run at a smaller size adds only the two, for the chart of time against rows)
     */
    List<Measurement> run(boolean details) throws Exception {
        Path serverDir = dir.resolve("bootstrap-server-" + rows);
        Files.createDirectories(serverDir);
        Path source = dir.resolve("bootstrap-source-" + rows + ".db");
        writeSource(source);
        List<Measurement> out = new ArrayList<>();
        double[] bare = new double[3];
        bare[0] = bareCopy(source);
        Result result;
        try (ServerProcess server = new ServerProcess(serverDir)) {
            bare[1] = bareCopy(source);
            result = bootstrap(server);
        }
        bare[2] = bareCopy(source);
        Arrays.sort(bare);
        double bareRate = rows / bare[1];
        String label = "bootstrap of " + rows + " rows (new device, WebSocket)";
        out.add(new Measurement(label + ": rows/s", rows / result.seconds, bareRate, "rows/s",
                "bare local copy (ATTACH + INSERT ... SELECT)", true, 0.05));
        out.add(Measurement.of(label + ": time (" + result.progressEvents + " progress reports)", result.seconds, bare[1], "s",
                "bare local copy", false));
        if (!details) {
            BulkPushBenchmark.delete(source);
            BulkPushBenchmark.delete(serverDir);
            return out;
        }
        // the rows below name no row count, so that charts take only the two above as the run's time
        String same = "bootstrap, same run";
        out.add(Measurement.of(same + ": peak heap, device JVM", result.devicePeak / 1048576.0, Double.NaN, "MiB", "-", false));
        out.add(Measurement.of(same + ": peak heap, server JVM", result.serverPeak / 1048576.0, Double.NaN, "MiB", "-", false));
        out.add(Measurement.of(same + ": CPU time, device JVM", result.deviceCpu / 1e9, Double.NaN, "s", "-", false));
        out.add(Measurement.of(same + ": CPU time, server JVM", result.serverCpu / 1e9, Double.NaN, "s", "-", false));
        out.add(Measurement.of(same + ": server store reads (" + result.pages + " pages)", result.serverReadNanos / 1e9,
                Double.NaN, "s", "-", false));
        out.addAll(new BootstrapStages(dir, serverDir, rows).run());
        return out;
    }

    private record Result(double seconds, long devicePeak, long serverPeak, long serverReadNanos, long pages,
            int progressEvents, long deviceCpu, long serverCpu) {}

    private Result bootstrap(ServerProcess server) throws Exception {
        CountDownLatch caughtUp = new CountDownLatch(1);
        AtomicInteger progress = new AtomicInteger();
        AtomicLong lastCursor = new AtomicLong();
        SyncStatusListener listener = new SyncStatusListener() {
            @Override
            public void catchingUp(CatchUpProgress p) {
                progress.incrementAndGet();
            }

            @Override
            public void caughtUp(long cursor) {
                lastCursor.set(cursor);
                if (cursor >= rows) {
                    caughtUp.countDown();
                }
            }
        };
        Path file = dir.resolve("bootstrap-device.db");
        server.command("RESET");
        System.gc();
        HeapPeaks.reset();
        long cpuStart = ProcessCpu.nanos();
        long start = System.nanoTime();
        try (BenchDevice device = new BenchDevice(file, URI.create("ws://127.0.0.1:" + server.port + "/sync"), SCOPE,
                "websocket", Map.of(), listener)) {
            device.device.start();
            if (!caughtUp.await(600, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the device did not catch up; last cursor " + lastCursor.get());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long devicePeak = HeapPeaks.bytes();
            long deviceCpu = ProcessCpu.nanos() - cpuStart;
            long count = device.count();
            if (count != rows) {
                throw new IllegalStateException("the device holds " + count + " rows of " + rows);
            }
            String[] stats = server.command("STATS").split(" ");
            return new Result(seconds, devicePeak, Long.parseLong(stats[1]), Long.parseLong(stats[2]), Long.parseLong(stats[3]),
                    progress.get(), deviceCpu, Long.parseLong(stats[5]));
        }
        finally {
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Files.deleteIfExists(Path.of(file + suffix));
            }
        }
    }

    /** The rows as the device ends up with them, in a file of their own: what the bare copy copies. */
    private void writeSource(Path source) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + source);
                Statement statement = connection.createStatement()) {
            statement.execute(BenchDevice.SCHEMA);
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO items VALUES (?, ?, ?, ?, ?)")) {
                for (int i = 0; i < rows; i++) {
                    int column = 1;
                    for (Object value : Workload.row(i).values()) {
                        insert.setObject(column++, value);
                    }
                    insert.addBatch();
                    if (i % 10_000 == 9_999) {
                        insert.executeBatch();
                    }
                }
                insert.executeBatch();
            }
            connection.commit();
        }
    }

    /** Seconds to copy the source's rows into a fresh WAL file with {@code ATTACH} and one {@code INSERT ... SELECT}. */
    private double bareCopy(Path source) throws Exception {
        Path file = dir.resolve("bootstrap-bare.db");
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute("PRAGMA synchronous=NORMAL");
            statement.execute(BenchDevice.SCHEMA);
            statement.execute("ATTACH DATABASE '" + source + "' AS src");
            long start = System.nanoTime();
            connection.setAutoCommit(false);
            statement.execute("INSERT INTO items SELECT * FROM src.items");
            connection.commit();
            return (System.nanoTime() - start) / 1e9;
        }
        finally {
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Files.deleteIfExists(Path.of(file + suffix));
            }
        }
    }

    /** {@link BootstrapServerMain} in a child JVM, spoken to through its standard input and output. */
    private final class ServerProcess implements AutoCloseable {
        final Process process;
        final BufferedReader in;
        final Writer commands;
        final int port;

        ServerProcess(Path serverDir) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java, "-Xmx1g"));
            // e.g. -Dbench.server-jvm-args=-XX:StartFlightRecording=filename=server.jfr to profile the server's side
            String extra = System.getProperty("bench.server-jvm-args", "");
            if (!extra.isBlank()) {
                command.addAll(List.of(extra.trim().split("\\s+")));
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), BootstrapServerMain.class.getName(),
                    serverDir.toString(), SCOPE, Integer.toString(rows)));
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            port = Integer.parseInt(expect("READY").split(" ")[1]);
        }

        String command(String line) throws IOException {
            commands.write(line + "\n");
            commands.flush();
            return expect(line.equals("RESET") ? "OK" : line);
        }

        private String expect(String prefix) throws IOException {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new IllegalStateException("the bootstrap server ended before " + prefix);
        }

        @Override
        public void close() throws Exception {
            commands.write("EXIT\n");
            commands.flush();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
