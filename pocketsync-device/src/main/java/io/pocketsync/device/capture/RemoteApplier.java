package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.ParkedChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.Version;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.ChangesMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies remote changes (pages and acknowledgement winners) inside one transaction with the echo
 * suppression flag set, and moves the cursor in that same transaction.
 *
 * <p>Order: a remote change carries the server sequence of its row state (protocol.md 3.3). It is
 * applied only when that sequence is after the one recorded for the row ({@code __pocketsync_row_seq}),
 * so a LIVE broadcast that arrives after the ACK of a later change of the same row, or a duplicated
 * message, cannot overwrite a later state. A change skipped because a pending local change of the row
 * wins by version is deferred ({@code __pocketsync_deferred}); the ACK of that local change tells whether the
 * server ordered it before or after the remote change, and the deferred change is applied in the latter
 * case.
 *
 * <p>Per page the questions about many changes are asked once (pending local changes, row sequences), and statements are prepared once per connection ({@link StatementCache}).
 *
 * <p>Foreign keys: the engine's connection does not enforce them while applying (see
 * {@link Sql#configure}). A page follows the server's sequence order, which may name a child before a
 * parent that was updated later; the server's state is consistent, so the keys hold once catch-up
 * completes. Cascading actions are not needed either: the origin device captured them as changes.
 */
final class RemoteApplier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteApplier.class);
    /** Rows per batched lookup; well below SQLite's default limit of 32766 parameters. */
    private static final int LOOKUP_CHUNK = 500;
    /**
     * How often the change log and the row sequences are pruned at most. Pruning is statements that
     * scan ranges of those tables: run on every page they cost more than a one-change LIVE itself, and a
     * prune of a 10,000-row change log took 14 ms in a traced MQTT run. Bounded tables stay bounded.
     */
    private static final long PRUNE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private record RowKey(String table, String globalId) {}

    /** A remote change queued for writing, with the server sequence of its state, or refused before it was queued. */
    private record Written(Change change, RowKey row, long sequence, RowWriter.Refused refused) {}

    /** The newest pending local change of a row. */
    private record Pending(long seq, long hlc) {}

    private final Connection connection;
    private final Clock clock;
    private final CaptureOptions options;
    private final StatementCache statements;
    private long lastPruneNanos;
    private boolean pruned;
    /** The cursor at the last prune of row sequences. */
    private long rowSequencesPrunedAt;

    RemoteApplier(Connection connection, Clock clock, CaptureOptions options) {
        this.connection = requireNonNull(connection, "connection is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.options = requireNonNull(options, "options is null");
        this.statements = new StatementCache(connection);
    }

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
        boolean snapshot = mode == ChangesMode.SNAPSHOT;
        if (snapshot && fromCursor == 0) {
            // the first page of a snapshot (re)starts a resync, whatever the stored cursor (protocol.md 3.6); the
            // server may have lost its history (cursor above its head), so row sequences start afresh as well
            Sql.execute(connection, "DELETE FROM " + SystemTables.RESYNC_ROWS);
            forgetSequences();
            if (!resyncing) {
                LOG.info("full resync started (cursor {})", cursor);
            }
            resyncing = true;
        }
        else if (snapshot && !resyncing) {
            return ApplyReport.NOT_ACCEPTED;
        }
        else if (!snapshot && resyncing) {
            if (mode != ChangesMode.CATCH_UP || fromCursor != 0) {
                // a resync ends only with its last SNAPSHOT page; the device pulls from 0 to restart it
                return ApplyReport.NOT_ACCEPTED;
            }
            // nothing was pruned on the server (it answered cursor 0 with a catch-up): that is complete
            Sql.execute(connection, "DELETE FROM " + SystemTables.RESYNC_ROWS);
            resyncing = false;
            LOG.info("full resync replaced by a catch-up from 0");
        }
        else if (cursor != fromCursor) {
            return ApplyReport.NOT_ACCEPTED;
        }
        if (changes.isEmpty() && !snapshot) {
            // a LIVE of the device's own changes (or an empty catch-up page): only the cursor moves
            moveCursor(toCursor, resyncing);
            return new ApplyReport(true, 0, 0, List.of(), List.of());
        }
        setApplying(true);
        RowWriter writer = new RowWriter(statements, schemas);
        Set<RowKey> rows = new LinkedHashSet<>();
        for (Change change : changes) {
            rows.add(new RowKey(change.table(), change.globalId()));
        }
        Map<RowKey, Pending> pending = pendingOf(rows);
        Map<RowKey, Long> rowSequences = sequencesOf(rows);
        int applied = 0;
        int skipped = 0;
        List<ParkedChange> parked = new ArrayList<>();
        Set<String> tables = new LinkedHashSet<>();
        List<Written> written = new ArrayList<>(changes.size());
        ValuesBatch resyncRows = new ValuesBatch(statements, "INSERT OR IGNORE INTO " + SystemTables.RESYNC_ROWS + " (tbl, gid)", 2, "");
        for (int i = 0; i < changes.size(); i++) {
            Change change = changes.get(i);
            long sequence = sequences.get(i);
            try {
                TableSchema schema = writer.validate(change);
                RowKey row = new RowKey(change.table(), change.globalId());
                if (snapshot) {
                    resyncRows.add(change.table(), change.globalId());
                }
                if (rowSequences.getOrDefault(row, 0L) >= sequence) {
                    // the row already holds this server state or a later one
                    skipped++;
                    continue;
                }
                Pending local = pending.get(row);
                if (local != null && new Version(new Hlc(local.hlc()), deviceId).isAfter(change.version())) {
                    defer(change, sequence);
                    skipped++;
                    continue;
                }
                writer.write(schema, change);
                // counted as held at once, so a repeat of the row later in the page is judged against it; a write
                // that a local constraint then refuses is parked, and so would be its repeat
                written.add(new Written(change, row, sequence, null));
                rowSequences.put(row, sequence);
            }
            catch (RowWriter.Refused refused) {
                written.add(new Written(change, null, 0, refused));
            }
        }
        Map<Change, RowWriter.Refused> refused = writer.flush();
        ValuesBatch heldSequences = sequenceWrites();
        // in page order, so that parked changes are reported and kept in the order they came
        for (Written write : written) {
            RowWriter.Refused refusal = write.refused() != null ? write.refused() : refused.get(write.change());
            if (refusal != null) {
                parked.add(park(write.change(), refusal));
                continue;
            }
            heldSequences.add(write.row().table(), write.row().globalId(), write.sequence());
            applied++;
            tables.add(write.change().table());
        }
        heldSequences.flush();
        resyncRows.flush();
        if (snapshot && lastPage) {
            tables.addAll(finishResync(schemas));
            resyncing = false;
        }
        setApplying(false);
        moveCursor(toCursor, resyncing);
        return new ApplyReport(true, applied, skipped, parked, List.copyOf(tables));
    }

    /** Stores the cursor a page reached, and prunes when it is time to. */
    private void moveCursor(long toCursor, boolean resyncing) throws SQLException {
        statements.update("UPDATE " + SystemTables.DEVICE_STATE + " SET cursor = ?, last_sync_ms = ?, resync = ? WHERE id = 1",
                toCursor, clock.millis(), resyncing ? 1L : 0L);
        long now = System.nanoTime();
        if (!pruned || now - lastPruneNanos >= PRUNE_INTERVAL_NANOS) {
            prune(toCursor);
            pruned = true;
            lastPruneNanos = now;
        }
    }

    ApplyReport applyResults(Map<String, TableSchema> schemas, String deviceId, List<ChangeResult> results) throws SQLException {
        setApplying(true);
        RowWriter writer = new RowWriter(statements, schemas);
        int applied = 0;
        int skipped = 0;
        List<ParkedChange> parked = new ArrayList<>();
        Set<String> tables = new LinkedHashSet<>();
        Set<RowKey> decided = new LinkedHashSet<>();
        // An ACK names hundreds of changes: what is asked about each is asked once for all of them, and the state
        // and sequence writes run as multi-row statements. Both batches are run before anything reads the tables
        // they write (a winner's checks below, the deferred changes after the loop).
        Map<String, PendingChange> named = pendingNamed(results);
        Map<RowKey, Long> known = sequencesOf(named.values().stream().map(PendingChange::row).toList());
        StateMarks marks = new StateMarks();
        ValuesBatch heldSequences = sequenceWrites();
        for (ChangeResult result : results) {
            PendingChange change = named.remove(result.changeId());
            if (change == null) {
                continue; // not pending (already decided) or not this device's
            }
            RowKey row = change.row();
            marks.mark(result, change.seq());
            decided.add(row);
            if (result.status() == ChangeStatus.REJECTED) {
                continue;
            }
            long sequence = result.sequence();
            long held = known.getOrDefault(row, 0L);
            Change winner = result.winner();
            if (winner == null) {
                if (sequence > held) {
                    known.put(row, sequence);
                    heldSequences.add(row.table(), row.globalId(), sequence);
                }
                continue;
            }
            marks.flush();
            heldSequences.flush();
            try {
                TableSchema schema = writer.validate(winner);
                if (statements.queryLong("SELECT count(*) FROM " + SystemTables.CHANGES + " WHERE state = 'pending' AND seq > ?"
                        + " AND tbl = ? AND gid = ?", change.seq(), winner.table(), winner.globalId()) > 0) {
                    // A later local change of the row is pending: its own ACK decides the row. The winner is kept
                    // aside like a deferred remote change rather than recorded as held: if that ACK leaves the row
                    // without a later server state (REJECTED: nothing of the edit was stored), the winner is the row.
                    if (sequence > held) {
                        defer(winner, sequence);
                    }
                    skipped++;
                    continue;
                }
                if (sequence > 0 && sequence < held) {
                    // a later server state is already applied. An equal sequence is written again: the
                    // device's own (losing) change overwrote its copy of that state locally.
                    skipped++;
                    continue;
                }
                writeNow(writer, schema, winner);
                if (sequence > 0) {
                    known.put(row, Math.max(held, sequence));
                    setSequence(row, sequence);
                }
                applied++;
                tables.add(schema.name());
            }
            catch (RowWriter.Refused refused) {
                parked.add(park(winner, refused));
            }
        }
        marks.flush();
        heldSequences.flush();
        if (!decided.isEmpty() && hasDeferred()) {
            for (RowKey row : decided) {
                Change deferred = takeDeferredIfSettled(row);
                if (deferred == null) {
                    continue;
                }
                try {
                    TableSchema schema = writer.validate(deferred);
                    writeNow(writer, schema, deferred);
                    applied++;
                    tables.add(schema.name());
                }
                catch (RowWriter.Refused refused) {
                    parked.add(park(deferred, refused));
                }
            }
        }
        setApplying(false);
        return new ApplyReport(true, applied, skipped, parked, List.copyOf(tables));
    }

    /** Whether a remote change is kept aside for a row with a local change pending (cheap: normally none is). */
    boolean hasDeferred() throws SQLException {
        return statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.DEFERRED + ")") != 0;
    }

    /** A pending local change named by an ACK: its local sequence and row. */
    private record PendingChange(long seq, RowKey row) {}

    /**
     * The pending local changes among those {@code results} name, by change id; one query per chunk. Each id is
     * looked up in the change id's unique index: {@code +state} keeps SQLite from choosing the state index
     * instead, which (without statistics) it prefers and which made every ACK scan every pending change, so
     * that a large offline queue cost time quadratic in its length to acknowledge.
     */
    private Map<String, PendingChange> pendingNamed(List<ChangeResult> results) throws SQLException {
        Map<String, PendingChange> out = new HashMap<>();
        for (int start = 0; start < results.size(); start += LOOKUP_CHUNK) {
            List<ChangeResult> chunk = results.subList(start, Math.min(results.size(), start + LOOKUP_CHUNK));
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

    /** Marks local changes with the server's answer, as multi-row statements: {@code UPDATE ... FROM (VALUES ...)}. */
    private final class StateMarks {
        private final ValuesBatch acked = new ValuesBatch(statements, "UPDATE " + SystemTables.CHANGES
                + " SET state = 'acked', server_seq = v.column2 FROM (", 2, ") AS v WHERE seq = v.column1");
        // the winner's sequence: the device may now hold that state above its cursor (see ownChangesFrom)
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

    /**
     * The deferred remote change of a row whose local changes are all decided, when the server sequenced it
     * after the state the row holds now (its sequence is recorded); null otherwise. The entry is removed
     * either way once nothing is pending.
     */
    private Change takeDeferredIfSettled(RowKey row) throws SQLException {
        Change deferred = null;
        long sequence = 0;
        PreparedStatement find = statements.get("SELECT seq, change_id, op, row_json, hlc, device FROM "
                + SystemTables.DEFERRED + " WHERE tbl = ? AND gid = ?");
        find.setString(1, row.table());
        find.setString(2, row.globalId());
        try (ResultSet rs = find.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            sequence = rs.getLong(1);
            deferred = new Change(rs.getString(2), row.table(), row.globalId(), Op.valueOf(rs.getString(3)),
                    RowImages.parse(rs.getString(4)), List.of(), new Hlc(rs.getLong(5)), rs.getString(6));
        }
        if (statements.queryLong("SELECT count(*) FROM " + SystemTables.CHANGES + " WHERE state = 'pending' AND tbl = ? AND gid = ?",
                row.table(), row.globalId()) > 0) {
            return null;
        }
        statements.update("DELETE FROM " + SystemTables.DEFERRED + " WHERE tbl = ? AND gid = ?", row.table(), row.globalId());
        if (sequence <= sequenceOf(row)) {
            return null;
        }
        setSequence(row, sequence);
        LOG.debug("applying deferred remote change {} of row {}: the server ordered it after the local change",
                RowWriter.shorten(deferred.changeId()), RowWriter.shorten(row.globalId()));
        return deferred;
    }

    private void defer(Change change, long sequence) throws SQLException {
        statements.update("INSERT INTO " + SystemTables.DEFERRED + " (tbl, gid, seq, change_id, op, row_json, hlc, device)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tbl, gid) DO UPDATE SET seq = excluded.seq,"
                + " change_id = excluded.change_id, op = excluded.op, row_json = excluded.row_json, hlc = excluded.hlc,"
                + " device = excluded.device WHERE excluded.seq > seq",
                change.table(), change.globalId(), sequence, change.changeId(), change.op().name(), RowImages.toJson(change.row()),
                change.hlc().value(), change.deviceId());
    }

    private long sequenceOf(RowKey row) throws SQLException {
        return statements.queryLong("SELECT seq FROM " + SystemTables.ROW_SEQ + " WHERE tbl = ? AND gid = ?",
                row.table(), row.globalId());
    }

    private void setSequence(RowKey row, long sequence) throws SQLException {
        ValuesBatch write = sequenceWrites();
        write.add(row.table(), row.globalId(), sequence);
        write.flush();
    }

    /** Records rows' server sequences (tbl, gid, seq); a row's sequence only grows. */
    private ValuesBatch sequenceWrites() {
        return new ValuesBatch(statements, "INSERT INTO " + SystemTables.ROW_SEQ + " (tbl, gid, seq)", 3,
                "ON CONFLICT (tbl, gid) DO UPDATE SET seq = max(seq, excluded.seq)");
    }

    /** Writes one change at once (where later reads in the same transaction must see it). */
    private static void writeNow(RowWriter writer, TableSchema schema, Change change) throws SQLException, RowWriter.Refused {
        writer.write(schema, change);
        RowWriter.Refused refused = writer.flush().get(change);
        if (refused != null) {
            throw refused;
        }
    }

    /**
     * The lowest server sequence above {@code cursor} at which this device may hold a row state it got from an
     * ACK rather than from CHANGES (PULL {@code own}, protocol.md 3.5); 0 when there is none. Such states are its
     * own acknowledged changes and the winners of its superseded ones, both kept in the change log with their
     * server sequence until the cursor passes it (see {@link #prune}). While a change waits for its ACK it may
     * already be stored at a sequence the device cannot know: {@code cursor + 1}.
     */
    long ownChangesFrom(long cursor) throws SQLException {
        if (statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.CHANGES + " WHERE state = 'pending')") != 0) {
            return cursor + 1;
        }
        return statements.queryLong("SELECT coalesce(min(server_seq), 0) FROM " + SystemTables.CHANGES
                + " WHERE state IN ('acked', 'superseded') AND server_seq > ?", cursor);
    }

    /** Row sequences and deferred changes belong to one history of one scope. */
    void forgetSequences() throws SQLException {
        Sql.execute(connection, "DELETE FROM " + SystemTables.ROW_SEQ);
        Sql.execute(connection, "DELETE FROM " + SystemTables.DEFERRED);
    }

    /** The newest pending local change of each of {@code rows} that has one; one scan of the pending changes. */
    private Map<RowKey, Pending> pendingOf(Set<RowKey> rows) throws SQLException {
        Map<RowKey, Pending> out = new HashMap<>();
        if (rows.isEmpty() || statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.CHANGES
                + " WHERE state = 'pending')") == 0) {
            return out;
        }
        PreparedStatement statement = statements.get("SELECT tbl, gid, max(seq), max(hlc) FROM " + SystemTables.CHANGES
                + " WHERE state = 'pending' GROUP BY tbl, gid");
        try (ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                RowKey row = new RowKey(rs.getString(1), rs.getString(2));
                if (rows.contains(row)) {
                    out.put(row, new Pending(rs.getLong(3), rs.getLong(4)));
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

    /** The recorded server sequences of {@code rows} that have one; one query per chunk. */
    private Map<RowKey, Long> sequencesOf(Collection<RowKey> rows) throws SQLException {
        Map<RowKey, Long> out = new HashMap<>();
        List<RowKey> all = new ArrayList<>(rows);
        for (int start = 0; start < all.size(); start += LOOKUP_CHUNK) {
            List<RowKey> chunk = all.subList(start, Math.min(all.size(), start + LOOKUP_CHUNK));
            PreparedStatement statement = statements.get(sequencesOfSql(chunk.size()));
            int index = 1;
            for (RowKey row : chunk) {
                statement.setString(index++, row.table());
                statement.setString(index++, row.globalId());
            }
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    out.put(new RowKey(rs.getString(1), rs.getString(2)), rs.getLong(3));
                }
            }
        }
        return out;
    }

    /**
     * The query {@link #sequencesOf} runs for {@code rows} rows: a join from the keys to the table's primary key.
     * The form {@code (tbl, gid) IN (VALUES ...)} read the same rows but scanned the whole table for them, on every
     * page and every ACK, and the table holds a record per row synced within the last {@code row-sequences-behind}
     * sequences.
     */
    static String sequencesOfSql(int rows) {
        StringBuilder sql = new StringBuilder("SELECT r.tbl, r.gid, r.seq FROM (VALUES ");
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "(?, ?)" : ", (?, ?)");
        }
        return sql.append(") AS v JOIN " + SystemTables.ROW_SEQ + " r ON r.tbl = v.column1 AND r.gid = v.column2").toString();
    }

    private List<String> finishResync(Map<String, TableSchema> schemas) throws SQLException {
        List<String> touched = new ArrayList<>();
        for (TableSchema schema : schemas.values()) {
            int deleted = Sql.update(connection, "DELETE FROM " + quoteSql(schema.name()) + " WHERE " + SystemTables.GLOBAL_ID
                    + " IS NOT NULL AND " + SystemTables.GLOBAL_ID + " NOT IN (SELECT gid FROM " + SystemTables.RESYNC_ROWS
                    + " WHERE tbl = ?1) AND " + SystemTables.GLOBAL_ID + " NOT IN (SELECT gid FROM " + SystemTables.CHANGES
                    + " WHERE tbl = ?1 AND state = 'pending')", schema.name());
            if (deleted > 0) {
                touched.add(schema.name());
                LOG.info("full resync removed {} local rows of {} that the server no longer has", deleted, schema.name());
            }
        }
        Sql.execute(connection, "DELETE FROM " + SystemTables.RESYNC_ROWS);
        LOG.info("full resync finished");
        return touched;
    }

    private void setApplying(boolean on) throws SQLException {
        statements.update(on ? "INSERT OR IGNORE INTO " + SystemTables.APPLYING + " (id) VALUES (1)"
                : "DELETE FROM " + SystemTables.APPLYING);
    }

    private ParkedChange park(Change change, RowWriter.Refused refused) throws SQLException {
        LOG.warn("parked remote change {} for table {}: {} {}", RowWriter.shorten(change.changeId()),
                RowWriter.shorten(change.table()), refused.code, refused.getMessage());
        statements.update("INSERT INTO " + SystemTables.DEAD_LETTER
                + " (change_id, tbl, gid, op, row_json, code, message, received_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                change.changeId(), change.table(), change.globalId(), change.op().name(), RowImages.toJson(change.row()),
                refused.code.name(), refused.getMessage(), clock.millis());
        return new ParkedChange(change.changeId(), change.table(), refused.code, refused.getMessage());
    }

    /** Keeps the row sequences and the acknowledged part of the change log bounded. */
    private void prune(long cursor) throws SQLException {
        // A row's server sequence only matters against states that can still arrive: pages start above the cursor,
        // and an ACK's winner (only for a row with a local change pending) is the server's state at that time, at
        // least as new as anything the device applied before. So a sequence at or below the cursor decides nothing
        // once nothing is pending or deferred. They are kept for row-sequences-behind sequences all the same, as a
        // margin against a late or malformed page; without pruning the table kept one record per row ever synced,
        // deleted rows included.
        // The table has no index on seq (it would cost every apply), so the scan runs once per quarter of that margin.
        if (cursor - rowSequencesPrunedAt >= Math.max(1, options.rowSequencesBehind() / 4)) {
            statements.update("DELETE FROM " + SystemTables.ROW_SEQ + " WHERE seq <= ? AND NOT EXISTS (SELECT 1 FROM "
                    + SystemTables.CHANGES + " WHERE state = 'pending') AND NOT EXISTS (SELECT 1 FROM " + SystemTables.DEFERRED
                    + ")", cursor - options.rowSequencesBehind());
            rowSequencesPrunedAt = cursor;
        }
        // the newest change's HLC is part of the device clock (the sealer reads it): keep it in the state row
        statements.update("UPDATE " + SystemTables.DEVICE_STATE + " SET hlc = " + SystemTables.DEVICE_CLOCK + " WHERE id = 1");
        statements.update("DELETE FROM " + SystemTables.CHANGES + " WHERE seq <= (SELECT max(seq) FROM "
                + SystemTables.CHANGES + ") - ? AND state IN ('acked', 'superseded') AND server_seq <= ?",
                (long) options.ackedKeepRows(), cursor);
    }

    @Override
    public void close() {
        statements.close();
    }
}
