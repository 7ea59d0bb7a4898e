package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.ParkedChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangesMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Applies remote changes (pages and acknowledgement winners) inside the caller's transaction with the echo
 * suppression flag set, and moves the cursor in that same transaction; what it may write is decided by
 * {@link PageAcceptance}, changes it cannot write are parked ({@link DeadLetterWriter}).
 *
 * <p>Order: a remote change carries the server sequence of its row state (protocol.md 3.3). It is
 * applied only when that sequence is after the one recorded for the row ({@link RowSequences}), so a LIVE
 * broadcast that arrives after the ACK of a later change of the same row, or a duplicated message, cannot
 * overwrite a later state. A change skipped because a pending local change of the row wins by version is
 * deferred ({@link DeferredChanges}); the ACK of that local change tells whether the server ordered it before or
 * after the remote change, and the deferred change is applied in the latter case ({@link AckApplier}).
 *
 * <p>Per page the questions about many changes are asked once (pending local changes, row sequences), and
 * statements are prepared once per connection ({@link StatementCache}).
 *
 * <p>Foreign keys: the engine's connection does not enforce them while applying (see
 * {@link Sql#configure}). A page follows the server's sequence order, which may name a child before a
 * parent that was updated later; the server's state is consistent, so the keys hold once catch-up
 * completes. Cascading actions are not needed either: the origin device captured them as changes.
 */
final class RemoteApplier implements AutoCloseable {
    /** A remote change queued for writing, with the server sequence of its state, or refused before it was queued. */
    private record Written(Change change, long sequence, RowWriter.@Nullable Refused refused) {}

    /** What writing a page's changes did. */
    private record Outcome(int applied, int skipped, List<ParkedChange> parked, Set<String> tables) {}

    private final Connection connection;
    private final Clock clock;
    private final StatementCache statements;
    private final RowSequences sequences;
    private final DeferredChanges deferred;
    private final OverwrittenChanges overwritten;
    private final DeadLetterWriter deadLetters;
    private final FullResync resync;
    private final ChangeLogPruner pruner;
    private final AckApplier acks;
    private final AppTriggers appTriggers;

    RemoteApplier(Connection connection, Clock clock, CaptureOptions options) {
        this.connection = requireNonNull(connection, "connection is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.statements = new StatementCache(connection);
        this.sequences = new RowSequences(statements);
        this.deferred = new DeferredChanges(statements);
        this.overwritten = new OverwrittenChanges(statements);
        this.deadLetters = new DeadLetterWriter(statements, clock);
        this.resync = new FullResync(connection, statements);
        this.pruner = new ChangeLogPruner(statements, sequences, requireNonNull(options, "options is null"));
        this.acks = new AckApplier(statements, sequences, deferred, overwritten, deadLetters,
                new RejectedRows(statements, clock));
        this.appTriggers = new AppTriggers(statements);
    }

    /** Applies one page (see {@code ChangeCapture#apply}); {@code sequences} holds one sequence per change. */
    ApplyReport applyPage(Map<String, TableSchema> schemas, String deviceId, List<Change> changes, List<Long> sequences,
            long fromCursor, long toCursor, ChangesMode mode, boolean lastPage) throws SQLException {
        long cursor;
        boolean resyncing;
        PreparedStatement state = statements.get("SELECT cursor, resync FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1");
        try (ResultSet rs = state.executeQuery()) {
            rs.next();
            cursor = rs.getLong(1);
            resyncing = rs.getLong(2) != 0;
        }
        switch (PageAcceptance.admit(cursor, resyncing, mode, fromCursor)) {
            case REFUSED -> {
                return ApplyReport.NOT_ACCEPTED;
            }
            case START_RESYNC -> {
                // the server may have lost its history (cursor above its head), so row sequences start afresh as well
                resync.start(cursor, resyncing);
                forgetSequences();
                // the snapshot brings every subscribed table: a table catch-up in progress is not needed any more
                TableJoin.resyncStarted(connection);
                resyncing = true;
            }
            case END_RESYNC_BY_CATCH_UP -> {
                resync.replacedByCatchUp();
                resyncing = false;
            }
            case APPLY -> { }
        }
        boolean snapshot = mode == ChangesMode.SNAPSHOT;
        if (changes.isEmpty() && !snapshot) {
            // a LIVE of the device's own changes (or an empty catch-up page): only the cursor moves
            moveCursor(toCursor, resyncing, lastPage && mode != ChangesMode.LIVE, false);
            return new ApplyReport(true, 0, 0, List.of(), List.of());
        }
        ValuesBatch resyncRows = snapshot ? resync.rowsSeen() : null;
        Outcome outcome = write(schemas, deviceId, changes, sequences, resyncRows);
        Set<String> tables = new LinkedHashSet<>(outcome.tables());
        if (snapshot && lastPage) {
            setApplying(true);
            tables.addAll(resync.finish(schemas.values()));
            setApplying(false);
            resyncing = false;
        }
        moveCursor(toCursor, resyncing, lastPage && mode != ChangesMode.LIVE, snapshot && lastPage);
        return new ApplyReport(true, outcome.applied(), outcome.skipped(), outcome.parked(), List.copyOf(tables));
    }

    /**
     * Applies one page of the table catch-up in progress (see {@code ChangeCapture#applyTables}): the same row rules as
     * any page, the table catch-up's cursor moved instead of the main one.
     */
    ApplyReport applyTablePage(Map<String, TableSchema> schemas, String deviceId, List<String> joining, List<Change> changes,
            List<Long> sequences, long fromCursor, long toCursor, boolean lastPage) throws SQLException {
        if (!TableJoin.admits(connection, joining, fromCursor)) {
            return ApplyReport.NOT_ACCEPTED;
        }
        Outcome outcome = changes.isEmpty() ? new Outcome(0, 0, List.of(), Set.of())
                : write(schemas, deviceId, changes, sequences, null);
        TableJoin.pageApplied(connection, toCursor, lastPage);
        return new ApplyReport(true, outcome.applied(), outcome.skipped(), outcome.parked(), List.copyOf(outcome.tables()));
    }

    /**
     * Writes what the row sequences and pending local changes let through, parks what cannot be written, records the
     * written rows' sequences; a snapshot's rows are remembered in {@code resyncRows}, when given.
     */
    private Outcome write(Map<String, TableSchema> schemas, String deviceId, List<Change> changes, List<Long> sequences,
            @Nullable ValuesBatch resyncRows) throws SQLException {
        setApplying(true);
        RowWriter writer = new RowWriter(statements, schemas);
        PageAcceptance acceptance = PageAcceptance.of(statements, this.sequences, deviceId, changes);
        int skipped = 0;
        List<Written> written = new ArrayList<>(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            Change change = changes.get(i);
            long sequence = sequences.get(i);
            try {
                TableSchema schema = writer.validate(change);
                if (resyncRows != null) {
                    resyncRows.add(change.table(), change.globalId());
                }
                switch (acceptance.judge(change, sequence)) {
                    case HELD -> skipped++;
                    case DEFER -> {
                        deferred.defer(change, sequence);
                        skipped++;
                    }
                    case WRITE -> {
                        writer.write(schema, change);
                        acceptance.queued(change, sequence);
                        written.add(new Written(change, sequence, null));
                    }
                }
            }
            catch (RowWriter.Refused refused) {
                written.add(new Written(change, 0, refused));
            }
        }
        Map<Change, RowWriter.Refused> refused = writer.flush();
        ValuesBatch heldSequences = this.sequences.recorder();
        int applied = 0;
        List<ParkedChange> parked = new ArrayList<>();
        Set<String> tables = new LinkedHashSet<>();
        // in page order, so that parked changes are reported and kept in the order they came
        for (Written write : written) {
            RowWriter.Refused refusal = write.refused() != null ? write.refused() : refused.get(write.change());
            if (refusal != null) {
                parked.add(deadLetters.park(write.change(), refusal));
                continue;
            }
            heldSequences.add(write.change().table(), write.change().globalId(), write.sequence());
            long pendingSeq = acceptance.pendingSeq(write.change());
            if (pendingSeq > 0) {
                // it won by version over a local change still pending: that change's ACK must find out (see AckApplier)
                overwritten.overwrote(new RowKey(write.change().table(), write.change().globalId()), pendingSeq);
            }
            applied++;
            tables.add(write.change().table());
        }
        heldSequences.flush();
        if (resyncRows != null) {
            resyncRows.flush();
        }
        setApplying(false);
        return new Outcome(applied, skipped, parked, tables);
    }

    /** Records an ACK's verdicts (see {@code ChangeCapture#acknowledge}). */
    ApplyReport applyResults(Map<String, TableSchema> schemas, String deviceId, List<ChangeResult> results) throws SQLException {
        setApplying(true);
        ApplyReport report = acks.apply(schemas, results);
        OwnRowsRepair.raiseMark(statements, results);
        setApplying(false);
        return report;
    }

    /**
     * Records the ACK of a bulk page ({@link BulkAcks}): its named results as {@link #applyResults} does, then the range
     * of its applied rows, and settles the changes kept aside for its rows (their bulk INSERT is decided now).
     */
    ApplyReport applyBulkResults(Map<String, TableSchema> schemas, String deviceId, List<ChangeResult> named, String table,
            long fromRowid, long toRowid, long fromSeq, long toSeq, List<RowKey> rows) throws SQLException {
        setApplying(true);
        ApplyReport report = named.isEmpty() ? new ApplyReport(true, 0, 0, List.of(), List.of())
                : acks.apply(schemas, named);
        OwnRowsRepair.raiseMark(statements, named);
        if (toSeq > 0) {
            // after the named results: a winner is judged against what the row held before this page
            sequences.ranges().record(table, fromRowid, toRowid, fromSeq, toSeq);
            OwnRowsRepair.raiseMark(statements, toSeq);
        }
        List<ParkedChange> parked = new ArrayList<>(report.parked());
        Set<String> tables = new LinkedHashSet<>(report.tables());
        int settled = acks.settleDeferred(new RowWriter(statements, schemas), rows, parked, tables);
        setApplying(false);
        return new ApplyReport(true, report.applied() + settled, report.skipped(), parked, List.copyOf(tables));
    }

    /** Whether a remote change is kept aside for a row with a local change pending (cheap: normally none is). */
    boolean hasDeferred() throws SQLException {
        return deferred.any();
    }

    /**
     * The lowest server sequence above {@code cursor} at which this device may hold a row state it got from an
     * ACK rather than from CHANGES (PULL {@code own}, protocol.md 3.5); 0 when there is none. Such states are its
     * own acknowledged changes and the winners of its superseded ones, both kept in the change log with their
     * server sequence until the cursor passes it (see {@link ChangeLogPruner}). While a change waits for its ACK it
     * may already be stored at a sequence the device cannot know: {@code cursor + 1}. So it is while a table catch-up
     * page reached above the cursor ({@link TableJoin}): the rows it brought may die before the cursor reaches them.
     */
    long ownChangesFrom(long cursor) throws SQLException {
        if (TableJoin.markAbove(statements, cursor) || statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.CHANGES
                + " WHERE state = 'pending' AND " + ScopeStates.NOT_OTHERS + ")") != 0 || new BulkRecords(statements).any()) {
            return cursor + 1;
        }
        long bulk = sequences.ranges().ownFrom(cursor);
        long changes = statements.queryLong("SELECT coalesce(min(server_seq), 0) FROM " + SystemTables.CHANGES
                + " WHERE state IN ('acked', 'superseded') AND server_seq > ? AND " + ScopeStates.NOT_OTHERS, cursor);
        return bulk == 0 ? changes : changes == 0 ? bulk : Math.min(bulk, changes);
    }

    /** Row sequences and deferred changes belong to one history of one scope. */
    void forgetSequences() throws SQLException {
        sequences.forgetAll();
        deferred.forgetAll();
        overwritten.forgetAll();
    }

    /**
     * Stores the cursor a page reached (and that a catch-up ended, which ends a repair, or that a full resync ended, which
     * may start one: see {@link OwnRowsRepair#END_ON_LAST_PAGE}), and prunes when it is time to.
     */
    private void moveCursor(long toCursor, boolean resyncing, boolean caughtUp, boolean resyncEnded) throws SQLException {
        statements.update("UPDATE " + SystemTables.DEVICE_STATE + " SET cursor = ?, last_sync_ms = ?, resync = ?, "
                + OwnRowsRepair.END_ON_LAST_PAGE + " WHERE id = 1", toCursor, clock.millis(), resyncing ? 1L : 0L,
                caughtUp ? 1L : 0L, resyncEnded ? 1L : 0L, toCursor, caughtUp ? 1L : 0L);
        pruner.cursorMoved(toCursor);
    }

    private void setApplying(boolean on) throws SQLException {
        statements.update(on ? "INSERT OR IGNORE INTO " + SystemTables.APPLYING + " (id) VALUES (1)"
                : "DELETE FROM " + SystemTables.APPLYING);
        if (on) {
            appTriggers.suspend();
        }
        else {
            appTriggers.restore();
        }
    }

    @Override
    public void close() {
        statements.close();
    }
}
