package io.pocketsync.benchmarks;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** Splits a list into consecutive batches of {@code size}. */
    static <T> List<List<T>> batches(List<T> all, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += size) {
            out.add(all.subList(i, Math.min(all.size(), i + size)));
        }
        return out;
    }
}
