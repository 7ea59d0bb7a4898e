package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.ParkedChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the server's verdicts on pushed changes (one ACK) inside the caller's applying transaction: marks each
 * local change acked, superseded or rejected, records the sequence of the state its row now holds (unless
 * {@link NeedlessRecords} shows that no state the device can still receive is older), writes the
 * winners {@link PageAcceptance#judgeWinner} lets through, and applies the changes kept aside for rows the ACK
 * settles, and writes back an acknowledged change a remote state was written over here ({@link OverwrittenChanges}).
 * A change refused {@code CLOCK_SKEW} is not given up but queued again ({@link SkewedChanges}); one refused
 * {@code SCOPE_READ_ONLY} is reverted to the server's state ({@link ReadOnlyRevert}). Not
 * thread-safe (the capture is synchronized).
 */
final class AckApplier {
    private static final Logger LOG = LoggerFactory.getLogger(AckApplier.class);

    /** A pending local change named by an ACK: its local sequence and row. */
    private record PendingChange(long seq, RowKey row) {}

    private final StatementCache statements;
    private final RowSequences sequences;
    private final DeferredChanges deferred;
    private final OverwrittenChanges overwritten;
    private final DeadLetterWriter deadLetters;
    private final RejectedRows rejectedRows;
    private final ReadOnlyRevert readOnlyRevert;

    AckApplier(StatementCache statements, RowSequences sequences, DeferredChanges deferred, OverwrittenChanges overwritten,
            DeadLetterWriter deadLetters, RejectedRows rejectedRows) {
        this.statements = requireNonNull(statements, "statements is null");
        this.sequences = requireNonNull(sequences, "sequences is null");
        this.deferred = requireNonNull(deferred, "deferred is null");
        this.overwritten = requireNonNull(overwritten, "overwritten is null");
        this.deadLetters = requireNonNull(deadLetters, "deadLetters is null");
        this.rejectedRows = requireNonNull(rejectedRows, "rejectedRows is null");
        this.readOnlyRevert = new ReadOnlyRevert(statements);
    }

    ApplyReport apply(Map<String, TableSchema> schemas, List<ChangeResult> results) throws SQLException {
        RowWriter writer = new RowWriter(statements, schemas);
        int applied = 0;
        int skipped = 0;
        List<ParkedChange> parked = new ArrayList<>();
        Set<String> tables = new LinkedHashSet<>();
        Set<RowKey> decided = new LinkedHashSet<>();
        Set<String> conflicted = new LinkedHashSet<>();
        // An ACK names hundreds of changes: what is asked about each is asked once for all of them, and the state
        // and sequence writes run as multi-row statements. Both batches are run before anything reads the tables
        // they write (a winner's checks below, the deferred changes after the loop).
        Map<String, PendingChange> named = pendingNamed(results);
        StateMarks marks = new StateMarks();
        SkewedChanges skewed = new SkewedChanges(statements);
        MissingColumns kept = new MissingColumns(statements);
        boolean anyOverwritten = overwritten.any();
        NeedlessRecords needless = NeedlessRecords.of(statements, deferred, anyOverwritten);
        Map<RowKey, Long> known = sequences.of(needingHeld(results, named, needless, anyOverwritten || kept.any()));
        ValuesBatch heldSequences = sequences.recorder();
        for (ChangeResult result : results) {
            PendingChange change = named.remove(result.changeId());
            if (change == null) {
                continue; // not pending (already decided) or not this device's
            }
            RowKey row = change.row();
            if (skewed.requeue(result, change.seq())) {
                continue; // pending again, under a new id: its row is not settled
            }
            marks.mark(result, change.seq());
            decided.add(row);
            if (result.status() == ChangeStatus.REJECTED && result.errorCode() == ErrorCode.SCOPE_READ_ONLY) {
                marks.flush();
                heldSequences.flush();
                // a read-only device: the row goes back to the server's state (see ReadOnlyRevert), the winner below
                if (readOnlyRevert.revert(schemas, row, change.seq(), result)) {
                    tables.add(row.table());
                }
                if (result.winner() == null) {
                    continue;
                }
            }
            else if (result.status() == ChangeStatus.REJECTED) {
                if (result.errorCode() != ErrorCode.UNIQUE_CONFLICT) {
                    continue;
                }
                marks.flush();
                heldSequences.flush();
                // the server keeps another row with this value: this one leaves for the dead letters (see RejectedRows)
                if (!rejectedRows.moveOut(schemas, row, change.seq(), result, result.winner() == null)) {
                    continue;
                }
                conflicted.add(row.table());
                tables.add(row.table());
                if (result.winner() == null) {
                    continue;
                }
            }
            long sequence = result.sequence();
            long held = known.getOrDefault(row, 0L);
            Change winner = result.winner();
            if (winner == null) {
                if (sequence > held) {
                    if (anyOverwritten) {
                        marks.flush();
                        heldSequences.flush();
                        writeBack(writer, row, change.seq(), tables);
                    }
                    known.put(row, sequence);
                    if (!needless.skips(row, result)) {
                        heldSequences.add(row.table(), row.globalId(), sequence);
                    }
                    kept.dropAbsent(row.table(), row.globalId(), change.seq());
                }
                continue;
            }
            marks.flush();
            heldSequences.flush();
            try {
                TableSchema schema = writer.validate(winner);
                boolean laterPending = statements.queryLong("SELECT count(*) FROM " + SystemTables.CHANGES
                        + " WHERE state = 'pending' AND seq > ? AND tbl = ? AND gid = ?", change.seq(), winner.table(),
                        winner.globalId()) > 0;
                switch (PageAcceptance.judgeWinner(laterPending, sequence, held)) {
                    case DEFER -> {
                        deferred.defer(winner, sequence);
                        skipped++;
                    }
                    case HELD -> skipped++;
                    case WRITE -> {
                        writeNow(writer, schema, winner);
                        if (sequence > 0) {
                            known.put(row, Math.max(held, sequence));
                            sequences.record(row, sequence);
                        }
                        applied++;
                        tables.add(schema.name());
                    }
                }
            }
            catch (RowWriter.Refused refused) {
                parked.add(deadLetters.park(winner, refused));
            }
        }
        marks.flush();
        heldSequences.flush();
        if (!conflicted.isEmpty()) {
            List<String> written = rejectedRows.retryParked(writer, conflicted);
            applied += written.size();
            tables.addAll(written);
        }
        if (anyOverwritten) {
            for (RowKey row : decided) {
                overwritten.settle(row);
            }
        }
        applied += settleDeferred(writer, decided, parked, tables);
        return new ApplyReport(true, applied, skipped, parked, List.copyOf(tables));
    }

    /**
     * Applies the remote changes kept aside for {@code rows} that nothing pending holds back any more (and that the
     * server ordered after the state the row now holds); adds what it parks and the tables it writes.
     *
     * @return how many were applied
     */
    int settleDeferred(RowWriter writer, java.util.Collection<RowKey> rows, List<ParkedChange> parked, Set<String> tables)
            throws SQLException {
        if (rows.isEmpty() || !deferred.any()) {
            return 0;
        }
        int applied = 0;
        for (RowKey row : rows) {
            Change settled = deferred.takeIfSettled(row, sequences);
            if (settled == null) {
                continue;
            }
            try {
                TableSchema schema = writer.validate(settled);
                writeNow(writer, schema, settled);
                applied++;
                tables.add(schema.name());
            }
            catch (RowWriter.Refused refused) {
                parked.add(deadLetters.park(settled, refused));
            }
        }
        return applied;
    }

    /**
     * Writes local change {@code changeSeq} back to its row when a remote state was written over it here and the server
     * stored it all the same ({@link OverwrittenChanges}). A local constraint that refuses it leaves the row as it is
     * (the next checksum comparison repairs it) rather than parking the device's own change.
     */
    private void writeBack(RowWriter writer, RowKey row, long changeSeq, Set<String> tables) throws SQLException {
        Change own = overwritten.writeBack(row, changeSeq);
        if (own == null) {
            return;
        }
        try {
            writeNow(writer, writer.validate(own), own);
            tables.add(row.table());
        }
        catch (RowWriter.Refused refused) {
            LOG.warn("row {} of {}: the server stored this device's change over a remote state written here, but writing it"
                    + " back was refused: {}", RowWriter.shorten(row.globalId()), row.table(), refused.getMessage());
        }
    }

    /** Writes one change at once (later reads in the same transaction must see it). */
    private static void writeNow(RowWriter writer, TableSchema schema, Change change) throws SQLException, RowWriter.Refused {
        writer.write(schema, change);
        RowWriter.Refused refused = writer.flush().get(change);
        if (refused != null) {
            throw refused;
        }
    }

    /**
     * The rows whose recorded sequence this ACK needs: a winner is judged against it, and a result recorded is compared
     * with it. A row whose every result needs no record ({@link NeedlessRecords}) is not looked up, its held sequence
     * taken as 0 (the lookup was a random B-tree page per row); unless {@code all}: an overwritten row's write-back and
     * kept missing columns also depend on it.
     */
    private static List<RowKey> needingHeld(List<ChangeResult> results, Map<String, PendingChange> named, NeedlessRecords needless,
            boolean all) {
        Set<RowKey> rows = new LinkedHashSet<>();
        for (ChangeResult result : results) {
            PendingChange change = named.get(result.changeId());
            if (change != null && (all || !needless.skips(change.row(), result))) {
                rows.add(change.row());
            }
        }
        return List.copyOf(rows);
    }

    /**
     * The pending local changes among those {@code results} name, by change id; one query per chunk. Each id is
     * looked up in the change id's unique index: {@code +state} keeps SQLite from choosing the state index
     * instead, which (without statistics) it prefers and which made every ACK scan every pending change, so
     * that a large offline queue cost time quadratic in its length to acknowledge.
     */
    private Map<String, PendingChange> pendingNamed(List<ChangeResult> results) throws SQLException {
        Map<String, PendingChange> out = new HashMap<>();
        for (int start = 0; start < results.size(); start += RowSequences.LOOKUP_CHUNK) {
            List<ChangeResult> chunk = results.subList(start, Math.min(results.size(), start + RowSequences.LOOKUP_CHUNK));
            PreparedStatement find = statements.get(pendingNamedSql(chunk.size()));
            for (int i = 0; i < chunk.size(); i++) {
                find.setString(i + 1, chunk.get(i).changeId());
            }
            try (ResultSet rs = find.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new PendingChange(rs.getLong(2), new RowKey(rs.getString(3), rs.getString(4))));
                }
            }
        }
        return out;
    }

    /** The query {@link #pendingNamed} runs for {@code ids} change ids. */
    static String pendingNamedSql(int ids) {
        return "SELECT change_id, seq, tbl, gid FROM " + SystemTables.CHANGES + " WHERE +state = 'pending' AND change_id IN ("
                + "?, ".repeat(ids - 1) + "?)";
    }

    /** Marks local changes with the server's answer, as multi-row statements: {@code UPDATE ... FROM (VALUES ...)}. */
    private final class StateMarks {
        private final ValuesBatch acked = new ValuesBatch(statements, "UPDATE " + SystemTables.CHANGES
                + " SET state = 'acked', server_seq = v.column2 FROM (", 2, ") AS v WHERE seq = v.column1");
        // the winner's sequence: the device may now hold that state above its cursor (see RemoteApplier.ownChangesFrom)
        private final ValuesBatch superseded = new ValuesBatch(statements, "UPDATE " + SystemTables.CHANGES
                + " SET state = 'superseded', server_seq = v.column2 FROM (", 2, ") AS v WHERE seq = v.column1");
        private final ValuesBatch rejected = new ValuesBatch(statements, "UPDATE " + SystemTables.CHANGES
                + " SET state = 'rejected', reason = v.column2 FROM (", 2, ") AS v WHERE seq = v.column1");

        void mark(ChangeResult result, long seq) {
            switch (result.status()) {
                case APPLIED, DUPLICATE -> acked.add(seq, result.sequence());
                case SUPERSEDED -> superseded.add(seq, result.sequence());
                case REJECTED -> rejected.add(seq,
                        result.errorCode() + ": " + (result.message() == null ? "" : result.message()));
            }
        }

        void flush() throws SQLException {
            acked.flush();
            superseded.flush();
            rejected.flush();
        }
    }
}
