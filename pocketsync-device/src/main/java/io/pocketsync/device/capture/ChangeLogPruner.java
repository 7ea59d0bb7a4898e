package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the acknowledged part of the change log and the row sequences bounded while the device syncs. Not
 * thread-safe (the capture is synchronized).
 */
final class ChangeLogPruner {
    /**
     * How often the change log and the row sequences are pruned at most. Pruning is statements that scan ranges of
     * those tables: run on every page they cost more than a one-change LIVE itself, and a prune of a 10,000-row
     * change log took 14 ms in a traced MQTT run. Bounded tables stay bounded.
     */
    private static final long PRUNE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final StatementCache statements;
    private final RowSequences sequences;
    private final CaptureOptions options;
    private long lastPruneNanos;
    private boolean pruned;
    /** The cursor at the last prune of row sequences. */
    private long rowSequencesPrunedAt;

    ChangeLogPruner(StatementCache statements, RowSequences sequences, CaptureOptions options) {
        this.statements = requireNonNull(statements, "statements is null");
        this.sequences = requireNonNull(sequences, "sequences is null");
        this.options = requireNonNull(options, "options is null");
    }

    /** The cursor moved to {@code cursor}: prunes when the last prune is long enough ago. */
    void cursorMoved(long cursor) throws SQLException {
        long now = System.nanoTime();
        if (!pruned || now - lastPruneNanos >= PRUNE_INTERVAL_NANOS) {
            prune(cursor);
            pruned = true;
            lastPruneNanos = now;
        }
    }

    private void prune(long cursor) throws SQLException {
        // A row's server sequence only matters against states that can still arrive: pages start above the cursor,
        // and an ACK's winner (only for a row with a local change pending) is the server's state at that time, at
        // least as new as anything the device applied before. So a sequence at or below the cursor decides nothing
        // once nothing is pending or deferred. They are kept for row-sequences-behind sequences all the same, as a
        // margin against a late or malformed page; without pruning the table kept one record per row ever synced,
        // deleted rows included.
        // The table has no index on seq (it would cost every apply), so the scan runs once per quarter of that margin.
        if (cursor - rowSequencesPrunedAt >= Math.max(1, options.rowSequencesBehind() / 4)) {
            sequences.forgetUpTo(cursor - options.rowSequencesBehind());
            rowSequencesPrunedAt = cursor;
        }
        // the stamps of the changes about to go stay part of the device clock: keep them in the state row. Only those
        // the server took: a pending or refused change's stamp may be wrong (a clock that jumped ahead) and is
        // restamped (ClockCorrection), which a floor holding it would prevent; while it is in the table the sealer
        // reads it anyway (SystemTables.DEVICE_CLOCK). The fold reads exactly the changes the DELETE removes, through
        // the (state, seq) index: folding every acked change scanned the whole change log at every prune, which during
        // a bulk push of a million rows cost the engine more time than the push.
        long last = statements.queryLong("SELECT coalesce(max(seq), 0) FROM " + SystemTables.CHANGES);
        long upTo = last - options.ackedKeepRows();
        if (upTo <= 0) {
            return;
        }
        String going = " FROM " + SystemTables.CHANGES + " WHERE state IN ('acked', 'superseded') AND seq <= ? AND server_seq <= ?"
                + " AND " + ScopeStates.NOT_OTHERS;
        statements.update("UPDATE " + SystemTables.DEVICE_STATE + " SET hlc = max(hlc, (SELECT coalesce(max(hlc), 0)" + going
                + ")) WHERE id = 1", upTo, cursor);
        statements.update("DELETE" + going, upTo, cursor);
    }
}
