package io.pocketsync.api.model;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The server's current state of one row: the winning image, who wrote it and when, whether it is
 * deleted (a tombstone), and where it sits in the scope's sequence.
 *
 * <p>Immutable. {@code columnVersions} holds a version per column for resolvers that merge per
 * column ({@code field-merge}); it is empty for whole-row resolvers. {@code firstSequence} is the
 * server sequence of the change that FIRST created the row (whatever its op, a DELETE of an unknown
 * row included); it is never reset, also not when a deleted row is recreated. {@code lastSequence} is
 * that of its latest applied change. Both are 0 in a state a resolver returns, and the store assigns
 * them when it commits.
 *
 * <p>Why never reset: catch-up from cursor {@code C} leaves out a tombstone whose {@code firstSequence > C}
 * (the row was born and died after {@code C}, so the device never had it). With a reset on recreation, a
 * row that existed at {@code C}, was deleted, recreated and deleted again would be left out and the device
 * would keep a stale row. With never-reset, a tombstone of a row first created at or before {@code C} is
 * always sent as DELETE (an extra DELETE for a row the device does not have is harmless), and a row
 * recreated after {@code C} is sent as UPDATE (devices upsert).
 *
 * @param table the table
 * @param globalId the row's {@code ps_global_id}
 * @param row the winning image; empty for a tombstone
 * @param deleted whether the row is deleted
 * @param version the version of the winning write
 * @param columnVersions per-column versions (may be empty)
 * @param lastChangeId id of the change that produced this state
 * @param firstSequence sequence of the change that first created the row (never reset), 0 if not yet assigned
 * @param lastSequence sequence of the latest applied change, 0 if not yet assigned
 */
public record RowState(
        String table,
        String globalId,
        Map<String, @Nullable Object> row,
        boolean deleted,
        Version version,
        Map<String, Version> columnVersions,
        String lastChangeId,
        long firstSequence,
        long lastSequence) {

    /**
     * Validates the state and copies its maps.
     *
     * @param table the table
     * @param globalId the row's {@code ps_global_id}
     * @param row the winning image; empty for a tombstone
     * @param deleted whether the row is deleted
     * @param version the version of the winning write
     * @param columnVersions per-column versions (may be empty)
     * @param lastChangeId id of the change that produced this state
     * @param firstSequence sequence of the change that first created the row (never reset), 0 if not yet assigned
     * @param lastSequence sequence of the latest applied change, 0 if not yet assigned
     */
    public RowState {
        requireNonNull(table, "table is null");
        requireNonNull(globalId, "globalId is null");
        row = Rows.copyOf(requireNonNull(row, "row is null"));
        requireNonNull(version, "version is null");
        columnVersions = Map.copyOf(requireNonNull(columnVersions, "columnVersions is null"));
        requireNonNull(lastChangeId, "lastChangeId is null");
    }

    /**
     * The state a change produces when it wins whole-row: its image, its version, no sequences yet.
     *
     * @param change the winning change
     * @return its state; a tombstone for a DELETE
     */
    public static RowState of(Change change) {
        return new RowState(change.table(), change.globalId(), change.isDelete() ? Map.of() : change.row(),
                change.isDelete(), change.version(), Map.of(), change.changeId(), 0, 0);
    }

    /**
     * This state with sequences assigned by a store.
     *
     * @param first the row's first sequence (kept from the stored state, or this change's when new)
     * @param last the sequence of the change that produced this state
     * @return a copy with the sequences set
     */
    public RowState withSequences(long first, long last) {
        return new RowState(table, globalId, row, deleted, version, columnVersions, lastChangeId, first, last);
    }

    /**
     * This state as a change to send to a device: DELETE for a tombstone, INSERT when the row was
     * created after {@code cursor}, otherwise UPDATE, with the winning image and version.
     *
     * @param cursor the receiving device's cursor
     * @return the change to send
     */
    public Change toChange(long cursor) {
        Op op = deleted ? Op.DELETE : (firstSequence > cursor ? Op.INSERT : Op.UPDATE);
        return new Change(lastChangeId, table, globalId, op, deleted ? Map.of() : row,
                java.util.List.of(), version.hlc(), version.deviceId());
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof RowState other
                && table.equals(other.table)
                && globalId.equals(other.globalId)
                && Rows.rowEquals(row, other.row)
                && deleted == other.deleted
                && version.equals(other.version)
                && columnVersions.equals(other.columnVersions)
                && lastChangeId.equals(other.lastChangeId)
                && firstSequence == other.firstSequence
                && lastSequence == other.lastSequence;
    }

    @Override
    public int hashCode() {
        return table.hashCode() * 31 + globalId.hashCode();
    }
}
