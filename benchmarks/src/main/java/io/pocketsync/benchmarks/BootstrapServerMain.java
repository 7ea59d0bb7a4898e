package io.pocketsync.benchmarks;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.Scope;
import io.pocketsync.server.engine.ServerListener;
import io.pocketsync.server.engine.conflict.LastWriteWinsResolver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server side of {@link BootstrapBenchmark}, in a JVM of its own so that its heap is measured apart from the
 * device's. Arguments: directory, scope, rows. Writes {@code rows} rows of {@code items} into its SQLite store (unless the
 * store has them already), starts the WebSocket transport and prints {@code READY <port>}. Then it answers lines on
 * standard input: {@code RESET} (a GC, then peak heap and stage sums start over), {@code STATS} (prints
 * {@code STATS <peak heap bytes> <store page read nanos> <pages> <page bytes> <CPU nanos>}) and {@code EXIT}.
 */
public final class BootstrapServerMain {
    private BootstrapServerMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String scope = args[1];
        int rows = Integer.parseInt(args[2]);
        AtomicLong readNanos = new AtomicLong();
        AtomicLong pages = new AtomicLong();
        AtomicLong pageBytes = new AtomicLong();
        ServerListener stages = new ServerListener() {
            @Override
            public void storeLatency(String operation, Duration duration) {
                if (operation.equals("page")) {
                    readNanos.addAndGet(duration.toNanos());
                }
            }

            @Override
            public void catchUpPage(Scope s, io.pocketsync.api.protocol.ChangesMode mode, int count, long bytes) {
                pages.incrementAndGet();
                pageBytes.addAndGet(bytes);
            }
        };
        try (BenchServer server = new BenchServer(dir, scope, null, null, stages)) {
            if (server.store().info(Scope.of(scope)).head() < rows) {
                populate(server, Scope.of(scope), rows);
            }
            System.out.println("READY " + server.webSocketUri().getPort());
            System.out.flush();
            long cpuStart = ProcessCpu.nanos();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("EXIT"); line = in.readLine()) {
                if (line.equals("RESET")) {
                    System.gc();
                    cpuStart = ProcessCpu.nanos();
                    HeapPeaks.reset();
                    readNanos.set(0);
                    pages.set(0);
                    pageBytes.set(0);
                    System.out.println("OK");
                }
                else if (line.equals("STATS")) {
                    System.out.println("STATS " + HeapPeaks.bytes() + " " + readNanos.get() + " " + pages.get() + " " + pageBytes.get() + " "
                            + (ProcessCpu.nanos() - cpuStart));
                }
                System.out.flush();
            }
        }
    }

    /** The rows of the bootstrap: one INSERT each, as the writes of another device would leave them. */
    static Change row(int i, long baseMillis) {
        return new Change("c" + i, "items", "row-" + i, Op.INSERT, Workload.row(i), List.of(),
                Hlc.of(baseMillis + i / 16, i % 16), "writer");
    }

    private static void populate(BenchServer server, Scope scope, int rows) {
        ConflictResolver lww = new LastWriteWinsResolver();
        long baseMillis = System.currentTimeMillis() - 3_600_000;
        List<Change> batch = new ArrayList<>(1000);
        for (int i = 0; i < rows; i++) {
            batch.add(row(i, baseMillis));
            if (batch.size() == 1000 || i == rows - 1) {
                server.store().apply(scope, batch, table -> lww);
                batch.clear();
            }
        }
    }
}
