package io.pocketsync.core.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.ParkedChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangesMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies remote changes (pages and acknowledgement winners) inside one transaction with the echo
 * suppression flag set, and moves the cursor in that same transaction.
 *
 * <p>Foreign keys: the engine's connection does not enforce them while applying (see
 * {@link Sql#configure}). A page follows the server's sequence order, which may name a child before a
 * parent that was updated later; the server's state is consistent, so the keys hold once catch-up
 * completes. Cascading actions are not needed either: the origin device captured them as changes.
 */
final class RemoteApplier {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteApplier.class);

    private final Connection connection;
    private final Clock clock;
    private final CaptureOptions options;

    RemoteApplier(Connection connection, Clock clock, CaptureOptions options) {
        this.connection = requireNonNull(connection, "connection is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.options = requireNonNull(options, "options is null");
    }

    ApplyReport applyPage(Map<String, TableSchema> schemas, String deviceId, List<Change> changes, long fromCursor,
            long toCursor, ChangesMode mode, boolean lastPage) throws SQLException {
        long cursor = Sql.queryLong(connection, "SELECT cursor FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1");
        boolean resyncing = Sql.queryLong(connection, "SELECT resync FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1") != 0;
        boolean snapshot = mode == ChangesMode.SNAPSHOT;
        if (snapshot && fromCursor == 0) {
            // the first page of a snapshot (re)starts a resync, whatever the stored cursor (protocol.md 3.6)
            Sql.execute(connection, "DELETE FROM " + SystemTables.RESYNC_ROWS);
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
        setApplying(true);
        RowWriter writer = new RowWriter(connection, schemas, deviceId);
        int applied = 0;
        int skipped = 0;
        List<ParkedChange> parked = new ArrayList<>();
        Set<String> tables = new LinkedHashSet<>();
        for (Change change : changes) {
            try {
                TableSchema schema = writer.validate(change);
                if (snapshot) {
                    Sql.update(connection, "INSERT OR IGNORE INTO " + SystemTables.RESYNC_ROWS + " (tbl, gid) VALUES (?, ?)",
                            change.table(), change.globalId());
                }
                if ((!snapshot && isProcessed(change.changeId())) || writer.localWins(change, toCursor)) {
                    skipped++;
                    continue;
                }
                writer.write(schema, change);
                markProcessed(change.changeId());
                applied++;
                tables.add(schema.name());
            }
            catch (RowWriter.Refused refused) {
                parked.add(park(change, refused));
            }
        }
        if (snapshot && lastPage) {
            tables.addAll(finishResync(schemas));
            resyncing = false;
        }
        Sql.update(connection, "UPDATE " + SystemTables.DEVICE_STATE
                + " SET cursor = ?, last_sync_ms = ?, resync = ?, applying = 0 WHERE id = 1",
                toCursor, clock.millis(), resyncing ? 1L : 0L);
        prune(toCursor);
        return new ApplyReport(true, applied, skipped, parked, List.copyOf(tables));
    }

    ApplyReport applyResults(Map<String, TableSchema> schemas, String deviceId, List<ChangeResult> results) throws SQLException {
        setApplying(true);
        RowWriter writer = new RowWriter(connection, schemas, deviceId);
        int applied = 0;
        int skipped = 0;
        List<ParkedChange> parked = new ArrayList<>();
        Set<String> tables = new LinkedHashSet<>();
        for (ChangeResult result : results) {
            long seq = Sql.queryLong(connection, "SELECT seq FROM " + SystemTables.CHANGES
                    + " WHERE change_id = ? AND state = 'pending'", result.changeId());
            if (seq == 0) {
                continue;
            }
            switch (result.status()) {
                case APPLIED, DUPLICATE -> Sql.update(connection, "UPDATE " + SystemTables.CHANGES
                        + " SET state = 'acked', server_seq = ? WHERE seq = ?", result.sequence(), seq);
                case SUPERSEDED -> Sql.update(connection, "UPDATE " + SystemTables.CHANGES
                        + " SET state = 'superseded' WHERE seq = ?", seq);
                case REJECTED -> Sql.update(connection, "UPDATE " + SystemTables.CHANGES
                        + " SET state = 'rejected', reason = ? WHERE seq = ?",
                        result.errorCode() + ": " + (result.message() == null ? "" : result.message()), seq);
            }
            Change winner = result.winner();
            if (winner == null || result.status() == io.pocketsync.api.protocol.ChangeStatus.REJECTED) {
                continue;
            }
            try {
                TableSchema schema = writer.validate(winner);
                if (Sql.queryLong(connection, "SELECT count(*) FROM " + SystemTables.CHANGES
                        + " WHERE tbl = ? AND gid = ? AND state = 'pending' AND seq > ?", winner.table(), winner.globalId(), seq) > 0) {
                    skipped++;
                    continue;
                }
                writer.write(schema, winner);
                markProcessed(winner.changeId());
                applied++;
                tables.add(schema.name());
            }
            catch (RowWriter.Refused refused) {
                parked.add(park(winner, refused));
            }
        }
        setApplying(false);
        return new ApplyReport(true, applied, skipped, parked, List.copyOf(tables));
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
        Sql.update(connection, "UPDATE " + SystemTables.DEVICE_STATE + " SET applying = ? WHERE id = 1", on ? 1L : 0L);
    }

    private boolean isProcessed(String changeId) throws SQLException {
        return Sql.queryLong(connection, "SELECT count(*) FROM " + SystemTables.PROCESSED + " WHERE change_id = ?", changeId) > 0;
    }

    private void markProcessed(String changeId) throws SQLException {
        Sql.update(connection, "INSERT OR REPLACE INTO " + SystemTables.PROCESSED + " (change_id, applied_ms) VALUES (?, ?)",
                changeId, clock.millis());
    }

    private ParkedChange park(Change change, RowWriter.Refused refused) throws SQLException {
        LOG.warn("parked remote change {} for table {}: {} {}", RowWriter.shorten(change.changeId()),
                RowWriter.shorten(change.table()), refused.code, refused.getMessage());
        Sql.update(connection, "INSERT INTO " + SystemTables.DEAD_LETTER
                + " (change_id, tbl, gid, op, row_json, code, message, received_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                change.changeId(), change.table(), change.globalId(), change.op().name(), RowImages.toJson(change.row()),
                refused.code.name(), refused.getMessage(), clock.millis());
        return new ParkedChange(change.changeId(), change.table(), refused.code, refused.getMessage());
    }

    /** Keeps the dedupe table and the acknowledged part of the change log bounded. */
    private void prune(long cursor) throws SQLException {
        Sql.update(connection, "DELETE FROM " + SystemTables.PROCESSED + " WHERE applied_ms < ?",
                clock.millis() - options.processedRetention().toMillis());
        Sql.update(connection, "DELETE FROM " + SystemTables.PROCESSED + " WHERE rowid <= (SELECT max(rowid) FROM "
                + SystemTables.PROCESSED + ") - ?", (long) options.processedMaxRows());
        Sql.update(connection, "DELETE FROM " + SystemTables.CHANGES + " WHERE seq <= (SELECT max(seq) FROM "
                + SystemTables.CHANGES + ") - ? AND (state = 'superseded' OR (state = 'acked' AND server_seq <= ?))",
                (long) options.ackedKeepRows(), cursor);
    }
}
