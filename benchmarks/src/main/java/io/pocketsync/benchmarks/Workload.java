package io.pocketsync.benchmarks;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Synthetic changes shared by the benchmarks, so subject and baseline write the same payloads. */
final class Workload {
    private Workload() {}

    /** {@code count} INSERT changes of distinct rows of table {@code items}, HLCs increasing. */
    static List<Change> inserts(String deviceId, String runId, int count) {
        List<Change> changes = new ArrayList<>(count);
        long baseMillis = System.currentTimeMillis() - 60_000;
        for (int i = 0; i < count; i++) {
            changes.add(new Change(runId + "-" + deviceId + "-" + i, "items", runId + "-row-" + i, Op.INSERT, row(i),
                    List.of(), Hlc.of(baseMillis + i / 100, i % 100), deviceId));
        }
        return changes;
    }

    /** A row image of {@code items}. */
    static Map<String, Object> row(int i) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", "item-" + i);
        row.put("name", "name " + i);
        row.put("qty", (long) i);
        row.put("price", i * 1.5);
        row.put("note", "note for row " + i);
        return row;
    }

    /**
     * The bytes one {@link #row} change takes inside a PUSH of 100 such changes in {@code codec}: the size of the
     * raw baselines' messages, so that they carry as much as PocketSync does per change.
     */
    static int bytesPerChange(String codec) {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            changes.add(new Change(UUID.randomUUID().toString().replace("-", ""), "items",
                    UUID.randomUUID().toString().replace("-", ""), Op.INSERT, row(5000 + i), List.of(),
                    Hlc.of(System.currentTimeMillis(), 0), "0123456789abcdef0123456789abcdef"));
        }
        byte[] encoded = new BenchContext("bench").codec(codec).encode(new Push(ProtocolVersion.CURRENT, "batch", changes));
        return encoded.length / changes.size();
    }

    /** Splits a list into consecutive batches of {@code size}. */
    static <T> List<List<T>> batches(List<T> all, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += size) {
            out.add(all.subList(i, Math.min(all.size(), i + size)));
        }
        return out;
    }
}
