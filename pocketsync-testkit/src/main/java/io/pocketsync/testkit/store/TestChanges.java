package io.pocketsync.testkit.store;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import java.util.List;
import java.util.Map;

/** Builds {@link Change}s for store tests with short, readable calls. */
public final class TestChanges {
    /** The table most tests write to. */
    public static final String TABLE = "todo";
    /** The device most tests write from. */
    public static final String DEVICE = "device-a";

    private TestChanges() {}

    /**
     * An INSERT of {@code row} into {@link #TABLE} from {@link #DEVICE} at HLC {@code hlc}.
     *
     * @param changeId the change id
     * @param globalId the row id
     * @param hlc the packed HLC value
     * @param row the new image
     * @return the change
     */
    public static Change insert(String changeId, String globalId, long hlc, Map<String, Object> row) {
        return change(changeId, TABLE, globalId, Op.INSERT, hlc, DEVICE, row);
    }

    /**
     * An UPDATE of every column of {@code row}.
     *
     * @param changeId the change id
     * @param globalId the row id
     * @param hlc the packed HLC value
     * @param row the new image
     * @return the change
     */
    public static Change update(String changeId, String globalId, long hlc, Map<String, Object> row) {
        return new Change(changeId, TABLE, globalId, Op.UPDATE, row, List.copyOf(row.keySet()), new Hlc(hlc), DEVICE);
    }

    /**
     * A DELETE.
     *
     * @param changeId the change id
     * @param globalId the row id
     * @param hlc the packed HLC value
     * @return the change
     */
    public static Change delete(String changeId, String globalId, long hlc) {
        return change(changeId, TABLE, globalId, Op.DELETE, hlc, DEVICE, Map.of());
    }

    /**
     * Any change.
     *
     * @param changeId the change id
     * @param table the table
     * @param globalId the row id
     * @param op insert, update or delete
     * @param hlc the packed HLC value
     * @param deviceId the device
     * @param row the new image; empty for DELETE
     * @return the change
     */
    public static Change change(String changeId, String table, String globalId, Op op, long hlc, String deviceId,
            Map<String, Object> row) {
        return new Change(changeId, table, globalId, op, op == Op.DELETE ? Map.of() : row, List.of(), new Hlc(hlc),
                deviceId);
    }
}
