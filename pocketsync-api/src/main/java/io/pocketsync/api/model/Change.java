package io.pocketsync.api.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One captured mutation of one row, as it travels from a device to the server and from the server
 * to other devices.
 *
 * <p>Immutable and thread-safe. Row images follow {@link Rows}: for INSERT and UPDATE {@code row}
 * is the full new image of the row (every tracked column, without {@code ps_global_id}); for DELETE
 * it is empty. {@code changedColumns} lists the columns an UPDATE really changed (empty for INSERT
 * and DELETE); field-merge resolvers use it. {@code uniqueKeys} lists the column sets of the table's UNIQUE
 * constraints the server checks across rows (see {@code docs/protocol.md}, "Unique claims"); empty for a table
 * without any, or from a device that does not send them.
 *
 * @param changeId globally unique id of this change (device id + local sequence, or a UUID); the dedupe key
 * @param table the tracked table's name
 * @param globalId the row's {@code ps_global_id}
 * @param op insert, update or delete
 * @param row the new row image; empty for DELETE; never null
 * @param changedColumns columns changed by an UPDATE; never null
 * @param hlc when the change happened on its device
 * @param deviceId the device that made the change
 * @param uniqueKeys column sets of the table's other UNIQUE constraints, each in index order; never null
 */
public record Change(
        String changeId,
        String table,
        String globalId,
        Op op,
        Map<String, @Nullable Object> row,
        List<String> changedColumns,
        Hlc hlc,
        String deviceId,
        List<List<String>> uniqueKeys) {

    /**
     * Validates the change and copies its image and column list.
     *
     * @param changeId globally unique id of this change (device id + local sequence, or a UUID); the dedupe key
     * @param table the tracked table's name
     * @param globalId the row's {@code ps_global_id}
     * @param op insert, update or delete
     * @param row the new row image; empty for DELETE; never null
     * @param changedColumns columns changed by an UPDATE; never null
     * @param hlc when the change happened on its device
     * @param deviceId the device that made the change
     * @param uniqueKeys column sets of the table's other UNIQUE constraints, each in index order; never null
     */
    public Change {
        requireNonNull(changeId, "changeId is null");
        requireNonNull(table, "table is null");
        requireNonNull(globalId, "globalId is null");
        requireNonNull(op, "op is null");
        row = Rows.copyOf(requireNonNull(row, "row is null"));
        changedColumns = List.copyOf(requireNonNull(changedColumns, "changedColumns is null"));
        requireNonNull(hlc, "hlc is null");
        requireNonNull(deviceId, "deviceId is null");
        uniqueKeys = copyKeys(requireNonNull(uniqueKeys, "uniqueKeys is null"));
    }

    /**
     * A change without unique keys (a table with no UNIQUE constraint beyond the one its id derives from).
     *
     * @param changeId globally unique id of this change (device id + local sequence, or a UUID); the dedupe key
     * @param table the tracked table's name
     * @param globalId the row's {@code ps_global_id}
     * @param op insert, update or delete
     * @param row the new row image; empty for DELETE; never null
     * @param changedColumns columns changed by an UPDATE; never null
     * @param hlc when the change happened on its device
     * @param deviceId the device that made the change
     */
    public Change(String changeId, String table, String globalId, Op op, Map<String, @Nullable Object> row,
            List<String> changedColumns, Hlc hlc, String deviceId) {
        this(changeId, table, globalId, op, row, changedColumns, hlc, deviceId, List.of());
    }

    private static List<List<String>> copyKeys(List<List<String>> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        List<List<String>> copy = new java.util.ArrayList<>(keys.size());
        for (List<String> key : keys) {
            copy.add(List.copyOf(requireNonNull(key, "unique key is null")));
        }
        return List.copyOf(copy);
    }

    /**
     * This change with the column sets of its table's UNIQUE constraints.
     *
     * @param keys the column sets; empty for none
     * @return a copy with everything else unchanged
     */
    public Change withUniqueKeys(List<List<String>> keys) {
        return new Change(changeId, table, globalId, op, row, changedColumns, hlc, deviceId, keys);
    }

    /**
     * The LWW order key of this change.
     *
     * @return its HLC and device id
     */
    public Version version() {
        return new Version(hlc, deviceId);
    }

    /**
     * Whether this change deletes its row.
     *
     * @return true for DELETE
     */
    public boolean isDelete() {
        return op == Op.DELETE;
    }

    /**
     * This change with another row image and op, e.g. the winning image of a merged row.
     *
     * @param newOp the op of the copy
     * @param newRow the image of the copy; empty for DELETE
     * @return a copy with the same id, table, row id, changed columns, HLC, device and unique keys
     */
    public Change withRow(Op newOp, Map<String, @Nullable Object> newRow) {
        return new Change(changeId, table, globalId, newOp, newRow, changedColumns, hlc, deviceId, uniqueKeys);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Change other
                && changeId.equals(other.changeId)
                && table.equals(other.table)
                && globalId.equals(other.globalId)
                && op == other.op
                && Rows.rowEquals(row, other.row)
                && changedColumns.equals(other.changedColumns)
                && hlc.equals(other.hlc)
                && deviceId.equals(other.deviceId)
                && uniqueKeys.equals(other.uniqueKeys);
    }

    @Override
    public int hashCode() {
        return changeId.hashCode();
    }
}
