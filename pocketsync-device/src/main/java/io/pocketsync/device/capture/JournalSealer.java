package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the journal the triggers write ({@code __pocketsync_journal}, see {@link TriggerGenerator}) into
 * pending changes in {@code __pocketsync_changes}: gives new rows their {@code ps_global_id}, reads the row
 * images, assigns HLCs and change ids, and empties the journal, all in the caller's write transaction.
 *
 * <p>The capture seals before every step that could overwrite a local row or move its clock (ACK, apply,
 * resync, clock merge), so a journal row is never overtaken by a remote change: within the applying
 * transaction, whatever the journal holds was committed before. A push seals in rounds
 * ({@link #sealRound}) only as far as one PUSH needs, so a bulk write is pushed while the rest is sealed.
 *
 * <p><b>Coalescing.</b> The writes one seal finds for a row become one change with the row's current image:
 * an INSERT followed by UPDATEs is one INSERT, UPDATEs are one UPDATE whose changed columns are the union of
 * theirs, anything followed by a DELETE is one DELETE, and a row that was inserted and deleted before it was
 * sealed never existed for anyone else and yields nothing. Changes are queued in the order of each row's
 * first journal row, so a parent inserted before its child is pushed first.
 *
 * <p><b>Rows are found by id where they have one.</b> Journal rows of rows that already have a
 * {@code ps_global_id} carry it and are resolved through its unique index, which survives anything that
 * renumbers rowids. A new row is found by the rowid the trigger saw; when that rowid no longer holds a row
 * without an id and no DELETE explains it ({@code VACUUM} renumbers rowids of tables without an
 * {@code INTEGER PRIMARY KEY}; an UPDATE may move the rowid of an INTEGER key), the table is swept for rows
 * without an id (a full scan, only then) so that no write is lost.
 *
 * <p><b>Ids survive a lost seal.</b> A new row's id is its first write's wall-clock milliseconds (12 hex
 * digits, so the unique index grows at its right edge), 12 hex digits derived from the device id and a
 * per-device counter stored with the device state, all in the sealing transaction. If that transaction is
 * lost (power loss with {@code synchronous=NORMAL}), the journal it consumed comes back with the counter, and
 * sealing again gives the same rows the same ids, so the server, which may already hold them, sees the same
 * rows, not copies.
 *
 * <p><b>HLCs.</b> Each change gets {@code max(wall clock of its row's last write, previous HLC + 1)}, the
 * previous HLC being the newest change's or the stored device clock (merged remote clocks), so HLCs
 * increase strictly in queue order and follow the device's view of the server. Because sealing happens
 * before any remote change is applied, a local write that committed before a remote change was applied is
 * never stamped after it.
 *
 * <p><b>Clock merges wait their turn in the journal.</b> A remote clock merged while the journal holds writes
 * ({@link #mergeClock}) is journaled itself, as a marker row ({@link #OP_CLOCK}, table {@code ''}, the clock
 * in {@code mask}), and takes effect when sealing reaches it: a round ends before a marker, and a marker at
 * the head of a round is merged into the stored clock before the round's writes are stamped. So writes
 * journaled before the merge are stamped without it and writes after it above it, exactly as if the journal
 * had been sealed at the merge, which is what happened before: every ACK's clock merge sealed the whole
 * journal in one transaction, and a bulk write of 10,000 rows stalled the device's pushes for 50-80 ms at its
 * first ACK.
 */
final class JournalSealer {
    private static final Logger LOG = LoggerFactory.getLogger(JournalSealer.class);
    /** Journal rows read per round; bounds memory, not the size of one seal. */
    private static final int ROUND = 10_000;
    private static final String WALL_MILLIS = "CAST((wall - 2440587.5) * 86400000.0 AS INTEGER)";
    /** The journal op of a clock-merge marker (see the class comment); triggers write 1-3. */
    static final int OP_CLOCK = 9;

    private final StatementCache statements;
    private final Clock clock;
    private final String deviceId;
    private final String deviceBits;
    /** One digest for every natural id this sealer derives. */
    private final NaturalIds naturalIds = new NaturalIds();

    JournalSealer(StatementCache statements, Clock clock, String deviceId) {
        this.statements = requireNonNull(statements, "statements is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.deviceId = requireNonNull(deviceId, "deviceId is null");
        this.deviceBits = ChangeEmitter.deviceBits(deviceId);
    }

    /**
     * Seals the whole journal; call inside a write transaction.
     *
     * @param schemas the tracked tables' current schemas (row images are read with them)
     * @param layouts per table, the column names the installed triggers' masks refer to
     * @return the number of changes queued
     */
    int seal(Map<String, TableSchema> schemas, Map<String, List<String>> layouts) throws SQLException {
        int queued = 0;
        while (true) {
            int round = sealRound(schemas, layouts, ROUND);
            if (round < 0) {
                return queued;
            }
            queued += round;
        }
    }

    /**
     * Seals the oldest {@code journalRows} journal rows at most; call inside a write transaction. Sealing a
     * large journal in rounds, each committed on its own, lets the first changes be pushed while later ones
     * are still journal rows; it only coalesces less (a row written in two rounds becomes two changes).
     *
     * @return the number of changes queued, or -1 when the journal was empty
     */
    int sealRound(Map<String, TableSchema> schemas, Map<String, List<String>> layouts, int journalRows) throws SQLException {
        List<JournalRow> rows = readRound(Math.min(journalRows, ROUND));
        if (rows.isEmpty()) {
            return -1;
        }
        // clock merges at the head take effect now; the round's writes end before the next one
        int start = 0;
        while (start < rows.size() && rows.get(start).op() == OP_CLOCK) {
            statements.update("UPDATE " + SystemTables.DEVICE_STATE + " SET hlc = max(hlc, ?) WHERE id = 1", rows.get(start).mask());
            start++;
        }
        int end = start;
        while (end < rows.size() && rows.get(end).op() != OP_CLOCK) {
            end++;
        }
        List<JournalRow> round = rows.subList(start, end);
        int queued = round.isEmpty() ? 0 : sealRound(round, schemas, layouts);
        statements.update("DELETE FROM " + SystemTables.JOURNAL + " WHERE id <= ?", rows.get(end - 1).id());
        return queued;
    }

    /**
     * Merges a remote clock into the device clock; call inside a write transaction. With the journal empty the
     * stored clock moves at once; otherwise a marker is journaled after the writes already there, and sealing
     * merges it in turn (see the class comment).
     */
    void mergeClock(long remote) throws SQLException {
        if (hasWork()) {
            statements.update("INSERT INTO " + SystemTables.JOURNAL + " (tbl, op, rid, gid, mask, wall) VALUES ('', ?, 0, NULL, ?,"
                    + " julianday('now'))", (long) OP_CLOCK, remote);
        }
        else {
            statements.update("UPDATE " + SystemTables.DEVICE_STATE + " SET hlc = max(hlc, ?) WHERE id = 1", remote);
        }
    }

    /** Whether the journal holds anything to seal (cheap: the journal is normally empty). */
    boolean hasWork() throws SQLException {
        return statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.JOURNAL + ")") != 0;
    }

    private List<JournalRow> readRound(int limit) throws SQLException {
        List<JournalRow> rows = new ArrayList<>();
        PreparedStatement read = statements.get("SELECT id, tbl, op, rid, gid, mask, " + WALL_MILLIS + " FROM "
                + SystemTables.JOURNAL + " ORDER BY id LIMIT ?");
        read.setInt(1, limit);
        try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                rows.add(new JournalRow(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getLong(4), rs.getString(5),
                        rs.getLong(6), rs.getLong(7)));
            }
        }
        return rows;
    }

    private int sealRound(List<JournalRow> round, Map<String, TableSchema> schemas, Map<String, List<String>> layouts)
            throws SQLException {
        List<RowWrites> order = new ArrayList<>();
        Map<Object, RowWrites> current = new HashMap<>();
        Map<String, Long> writesPerTable = new LinkedHashMap<>();
        for (JournalRow row : round) {
            writesPerTable.merge(row.table(), 1L, Long::sum);
            if (!schemas.containsKey(row.table())) {
                continue; // a table no longer tracked: its triggers are gone, its journal rows mean nothing now
            }
            if (row.gid() == null) {
                NewRowKey key = new NewRowKey(row.table(), row.rowid());
                RowWrites writes = current.get(key);
                if (row.op() == TriggerGenerator.OP_DELETE) {
                    if (writes != null) {
                        writes.bornAndDied = true; // never sealed, so no one else knows it
                        current.remove(key);
                    }
                    continue;
                }
                if (writes == null) {
                    writes = new RowWrites(row.table(), row.rowid(), null, TriggerGenerator.OP_INSERT, row.wallMillis());
                    current.put(key, writes);
                    order.add(writes);
                }
                writes.inserted |= row.op() == TriggerGenerator.OP_INSERT;
                writes.lastWallMillis = Math.max(writes.lastWallMillis, row.wallMillis());
                continue;
            }
            IdKey key = new IdKey(row.table(), row.gid());
            RowWrites writes = current.get(key);
            if (writes == null) {
                writes = new RowWrites(row.table(), row.rowid(), row.gid(), row.op(), row.wallMillis());
                current.put(key, writes);
                order.add(writes);
            }
            else if (row.op() == TriggerGenerator.OP_INSERT || row.op() == TriggerGenerator.OP_DELETE
                    || writes.op != TriggerGenerator.OP_INSERT) {
                writes.op = row.op(); // UPDATEs after an INSERT keep it an INSERT
            }
            writes.mask |= row.mask();
            writes.lastWallMillis = Math.max(writes.lastWallMillis, row.wallMillis());
        }

        long lastId = round.get(round.size() - 1).id();
        KeyTranslation keys = KeyTranslation.of(schemas);
        long lastSeqBefore = keys.isEmpty() ? 0 : statements.queryLong("SELECT coalesce(max(seq), 0) FROM " + SystemTables.CHANGES);
        NaturalIdRound naturalIdRound = new NaturalIdRound(statements, naturalIds, keys);
        ChangeEmitter emitter = new ChangeEmitter(statements, deviceId, deviceBits, naturalIdRound);
        Map<String, Map<Long, SealingReads.RowImage>> newRows = readNewRows(order, schemas, lastId,
                naturalIdRound);
        Set<NewRowKey> sealedNewRows = new HashSet<>();
        Map<String, Map<String, String>> idRows = new HashMap<>();
        Set<String> sweep = new LinkedHashSet<>();
        MissingColumns kept = new MissingColumns(statements);
        for (RowWrites writes : order) {
            if (writes.bornAndDied) {
                continue;
            }
            TableSchema schema = schemas.get(writes.table);
            if (writes.gid == null) {
                SealingReads.RowImage row = newRows.get(writes.table).get(writes.rowid);
                if (row != null && row.gid() != null && !writes.inserted) {
                    // Only UPDATEs of a row before it had an id: an earlier round gave it the id and queued its image,
                    // read after these UPDATEs committed (a later UPDATE would have journaled the id).
                    continue;
                }
                if (row == null || row.gid() != null || !sealedNewRows.add(new NewRowKey(writes.table, writes.rowid))) {
                    sweep.add(writes.table); // the rowid does not lead to a row without an id: moved (see the class comment)
                    continue;
                }
                emitter.emitNewRow(schema, writes.rowid, row.image(), writes.firstWallMillis, writes.lastWallMillis);
            }
            else if (writes.op == TriggerGenerator.OP_DELETE) {
                // a later re-insert is a new row: it must not gain the deleted row's values at the next upgrade
                kept.forget(writes.table, writes.gid); // one look at the table per round, then nothing when it is empty
                emitter.emit(writes.table, writes.gid, "DELETE", "{}", "[]", writes.lastWallMillis);
            }
            else if (writes.op == TriggerGenerator.OP_INSERT || writes.mask != 0) {
                String image = idRows.computeIfAbsent(writes.table, t -> SealingReads.rowsById(statements, schema, lastId))
                        .get(writes.gid);
                if (image == null) {
                    // the id was changed or cleared by the app (no trigger records that); a later DELETE would have said so
                    LOG.debug("row {} of {} is gone without a DELETE; nothing to queue", writes.gid, writes.table);
                    continue;
                }
                image = kept.withKept(writes.table, writes.gid, image);
                String columns = writes.op == TriggerGenerator.OP_INSERT ? "[]"
                        : RowImages.columnsJson(changedColumns(writes.mask, layouts.get(writes.table), schema));
                emitter.emit(writes.table, writes.gid, writes.op == TriggerGenerator.OP_INSERT ? "INSERT" : "UPDATE", image,
                        columns, writes.lastWallMillis);
            }
        }
        for (String table : sweep) {
            sweepRowsWithoutId(schemas.get(table), emitter);
        }
        emitter.finish();
        // images are read before new rows get their ids; references to rows of this round are translated now
        keys.toWire(statements, lastSeqBefore);
        for (Map.Entry<String, Long> entry : writesPerTable.entrySet()) {
            statements.update("UPDATE " + SystemTables.VERSION + " SET version = version + ? WHERE tbl = ?", entry.getValue(),
                    entry.getKey());
        }
        return emitter.queued;
    }

    /**
     * Per table with new rows in {@code order}, the id and image of every row a journal row up to {@code lastId} names by
     * rowid only, read before anything is emitted so that their natural ids are asked of each table at once, tables in
     * the order of their first row (a parent written before its child first).
     */
    private Map<String, Map<Long, SealingReads.RowImage>> readNewRows(List<RowWrites> order, Map<String, TableSchema> schemas,
            long lastId, NaturalIdRound naturalIdRound) throws SQLException {
        Map<String, Map<Long, SealingReads.RowImage>> newRows = new HashMap<>();
        for (RowWrites writes : order) {
            if (writes.gid != null || writes.bornAndDied || newRows.containsKey(writes.table)) {
                continue;
            }
            TableSchema schema = schemas.get(writes.table);
            Map<Long, SealingReads.RowImage> rows = SealingReads.newRows(statements, schema, lastId);
            newRows.put(writes.table, rows);
            Map<Long, String> withoutId = new HashMap<>();
            rows.forEach((rowid, row) -> {
                if (row.gid() == null) {
                    withoutId.put(rowid, row.image());
                }
            });
            naturalIdRound.prepare(schema, withoutId);
        }
        return newRows;
    }

    /**
     * Seals every row of {@code schema} that has no id: the journal's rowids did not lead to them (see the
     * class comment). A full scan, run only when a rowid did not match.
     */
    private void sweepRowsWithoutId(TableSchema schema, ChangeEmitter emitter) throws SQLException {
        emitter.flushIds(); // rows given an id in this round have one in the table before the scan
        PreparedStatement find = statements.get("SELECT rowid, " + TriggerGenerator.image(schema, "") + " FROM "
                + quoteSql(schema.name()) + " WHERE " + SystemTables.GLOBAL_ID + " IS NULL ORDER BY rowid");
        long now = clock.millis();
        List<Long> rowids = new ArrayList<>();
        List<String> images = new ArrayList<>();
        try (ResultSet rs = find.executeQuery()) {
            while (rs.next()) {
                rowids.add(rs.getLong(1));
                images.add(rs.getString(2));
            }
        }
        for (int i = 0; i < rowids.size(); i++) {
            emitter.emitNewRow(schema, rowids.get(i), images.get(i), now, now);
        }
        if (!rowids.isEmpty()) {
            LOG.info("table {}: {} rows without an id found by a sweep (rowids changed before sealing, e.g. VACUUM)",
                    schema.name(), rowids.size());
        }
    }

    /** The changed columns a mask names, as current column names (a column dropped since is left out). */
    static List<String> changedColumns(long mask, List<String> layout, TableSchema schema) {
        List<String> names = layout != null ? layout : schema.columnNames();
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if ((mask & TriggerGenerator.maskBit(i)) != 0 && schema.hasColumn(names.get(i))) {
                changed.add(names.get(i));
            }
        }
        return changed;
    }


    private record JournalRow(long id, String table, int op, long rowid, String gid, long mask, long wallMillis) {}

    private record NewRowKey(String table, long rowid) {}

    private record IdKey(String table, String gid) {}

    /** What one round's journal rows did to one row. */
    private static final class RowWrites {
        final String table;
        final long rowid;
        final String gid;
        final long firstWallMillis;
        int op;
        long mask;
        long lastWallMillis;
        boolean bornAndDied;
        /** For a row without an id: whether its INSERT is among this round's journal rows. */
        boolean inserted;

        RowWrites(String table, long rowid, String gid, int op, long firstWallMillis) {
            this.table = table;
            this.rowid = rowid;
            this.gid = gid;
            this.op = op;
            this.firstWallMillis = firstWallMillis;
            this.lastWallMillis = firstWallMillis;
        }

        @Override
        public String toString() {
            return table + "/" + Objects.requireNonNullElse(gid, "rowid " + rowid);
        }
    }
}
