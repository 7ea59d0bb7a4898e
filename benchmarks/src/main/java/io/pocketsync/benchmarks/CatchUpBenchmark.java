package io.pocketsync.benchmarks;

import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.server.engine.conflict.LastWriteWinsResolver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Catch-up cost follows the rows changed, not the number of changes: N changes spread over R rows
 * are served to a device at cursor 0 as R row images. Reports bytes on the wire (JSON), time and peak
 * heap for two values of R with the same N, next to the bytes of sending all N changes.
 */
final class CatchUpBenchmark {
    private final Path dir;
    private final int changes;
    private final int[] rowCounts;

    CatchUpBenchmark(Path dir, int changes, int... rowCounts) {
        this.dir = dir;
        this.changes = changes;
        this.rowCounts = rowCounts;
    }

    List<Measurement> run() throws Exception {
        List<Measurement> out = new ArrayList<>();
        Codec json = new BenchContext("bench").codec("json");
        for (int rows : rowCounts) {
            String scope = "bench-catchup-" + rows;
            try (BenchServer server = new BenchServer(dir.resolve("catchup-" + rows), scope, null, null)) {
                long naiveBytes = populate(server, Scope.of(scope), rows, json);
                InJvmDevice device = new InJvmDevice(server.server(), "late-device");
                device.hello(scope, BenchServer.TOKEN, 0);
                System.gc();
                HeapPeaks.reset();
                long start = System.nanoTime();
                long bytes = 0;
                long rowsSent = 0;
                int pages = 0;
                long cursor = 0;
                boolean more = true;
                while (more) {
                    device.send(new Pull(ProtocolVersion.CURRENT, cursor, 1000), null);
                    Changes page = device.await(Changes.class);
                    if (page.mode() == ChangesMode.LIVE) {
                        continue;
                    }
                    bytes += json.encode(page).length;
                    rowsSent += page.changes().size();
                    pages++;
                    cursor = page.cursor();
                    more = page.hasMore();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                long peakHeapMiB = HeapPeaks.bytes() / (1024 * 1024);
                String label = "catch-up of " + changes + " changes over " + rows + " rows";
                out.add(Measurement.of(label + ": bytes sent (" + rowsSent + " rows, " + pages + " pages)", bytes,
                        naiveBytes, "bytes", "all " + changes + " changes encoded", false));
                out.add(Measurement.of(label + ": time", seconds, Double.NaN, "s", "-", false));
                out.add(Measurement.of(label + ": peak heap", peakHeapMiB, Double.NaN, "MiB", "-", false));
            }
        }
        return out;
    }

    /** Writes {@code changes} changes round-robin over {@code rows} rows; returns their encoded size. */
    private long populate(BenchServer server, Scope scope, int rows, Codec json) {
        ConflictResolver lww = new LastWriteWinsResolver();
        long baseMillis = System.currentTimeMillis() - 3_600_000;
        long naiveBytes = 0;
        List<Change> batch = new ArrayList<>(1000);
        for (int i = 0; i < changes; i++) {
            int row = i % rows;
            Change change = new Change("c" + i, "items", "row-" + row, i < rows ? Op.INSERT : Op.UPDATE,
                    Workload.row(i), i < rows ? List.of() : List.of("qty", "note"), Hlc.of(baseMillis + i / 16, i % 16),
                    "writer");
            batch.add(change);
            if (i % 1000 == 0) {
                naiveBytes += json.encode(new Changes(ProtocolVersion.CURRENT, ChangesMode.CATCH_UP, List.of(change), 0, 0,
                        false, 0)).length;
            }
            if (batch.size() == 1000) {
                server.store().apply(scope, batch, table -> lww);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            server.store().apply(scope, batch, table -> lww);
        }
        // Sampled one change in 1000: scale to all of them.
        return naiveBytes * 1000;
    }

}
