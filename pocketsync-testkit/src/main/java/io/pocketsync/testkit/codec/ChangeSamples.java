package io.pocketsync.testkit.codec;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sample changes for {@link MessageSamples}: every {@link Op}, and row values that stress an encoding (nulls, unicode,
 * blobs, reals, extreme longs, empty collections). Every method returns fresh immutable values.
 */
public final class ChangeSamples {
    private ChangeSamples() {}

    /**
     * An INSERT with every kind of SQLite value.
     *
     * @return the change
     */
    public static Change insertWithEveryValueType() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", "todo-1");
        row.put("title", "Grüße, 世界 — emoji 🎉 \"quoted\" \\ back\\slash \n newline \t tab \u0001");
        row.put("nothing", null);
        row.put("big", Long.MAX_VALUE);
        row.put("small", Long.MIN_VALUE);
        row.put("zero", 0L);
        row.put("minus-one", -1L);
        row.put("price", 12.5);
        row.put("tiny", 4.9E-324);
        row.put("huge", Double.MAX_VALUE);
        row.put("negative-zero", -0.0);
        row.put("whole-real", 3.0);
        row.put("infinite", Double.POSITIVE_INFINITY);
        row.put("minus-infinite", Double.NEGATIVE_INFINITY);
        row.put("blob", new byte[] {0, 1, 2, (byte) 0xFF, (byte) 0x80, 127});
        row.put("empty-blob", new byte[0]);
        row.put("empty-text", "");
        row.put("$b", "a column named like the blob marker");
        row.put("weird \"column\" name ü", 7L);
        return new Change("dev-a:1", "todos", "0f8fad5b-d9cb-469f-a165-70867728950e", Op.INSERT, row, List.of(),
                Hlc.of(1_700_000_000_000L, 3), "dev-a");
    }

    /**
     * An UPDATE listing its changed columns and its table's unique keys (optional {@code uniq}).
     *
     * @return the change
     */
    public static Change update() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", "todo-1");
        row.put("title", "done");
        row.put("done", 1L);
        return new Change("dev-a:2", "todos", "0f8fad5b-d9cb-469f-a165-70867728950e", Op.UPDATE, row,
                List.of("title", "done"), Hlc.of(1_700_000_000_001L, 0), "dev-a", List.of(List.of("title"), List.of("id", "done")));
    }

    /**
     * A DELETE: empty row, no columns.
     *
     * @return the change
     */
    public static Change delete() {
        return new Change("dev-b:7", "todos", "gid-2", Op.DELETE, Map.of(), List.of(), new Hlc(Long.MAX_VALUE), "dev-b");
    }

    /**
     * A change with the smallest clock and an empty row on an INSERT.
     *
     * @return the change
     */
    public static Change minimalInsert() {
        return new Change("x", "t", "g", Op.INSERT, Map.of(), List.of(), Hlc.ZERO, "d");
    }

    /**
     * All sample changes.
     *
     * @return the changes above
     */
    public static List<Change> changes() {
        return List.of(insertWithEveryValueType(), update(), delete(), minimalInsert());
    }
}
