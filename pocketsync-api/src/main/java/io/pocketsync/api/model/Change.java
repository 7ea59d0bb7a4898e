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
 * and DELETE); field-merge resolvers use it.
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
public record Change(
        String changeId,
        String table,
        String globalId,
        Op op,
        Map<String, @Nullable Object> row,
        List<String> changedColumns,
        Hlc hlc,
        String deviceId) {

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
     * @return a copy with the same id, table, row id, changed columns, HLC and device
     */
    public Change withRow(Op newOp, Map<String, @Nullable Object> newRow) {
        return new Change(changeId, table, globalId, newOp, newRow, changedColumns, hlc, deviceId);
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
                && deviceId.equals(other.deviceId);
    }

    @Override
    public int hashCode() {
        return changeId.hashCode();
    }
}
