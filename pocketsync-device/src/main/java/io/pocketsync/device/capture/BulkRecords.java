package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The bulk pushes under way ({@code __pocketsync_bulk}): per table that held rows when it was first tracked, which of
 * them the server has acknowledged. One write per acknowledged page; the record goes when its last page is
 * acknowledged. Not thread-safe (the capture is synchronized).
 */
final class BulkRecords {
    /**
     * One table's bulk push: its rows with a rowid in {@code (acked, upper]} are not acknowledged yet; all are sent with
     * {@code baseHlc}, under change ids {@code idPrefix + rowid in hex}.
     */
    record Bulk(String table, long upper, long acked, long baseHlc, long total, String idPrefix) {
        /** The change id of the row at {@code rowid}: the same at every sending, so a page sent again is DUPLICATE. */
        String changeId(long rowid) {
            return idPrefix + Long.toHexString(rowid);
        }
    }

    private final StatementCache statements;

    BulkRecords(StatementCache statements) {
        this.statements = requireNonNull(statements, "statements is null");
    }

    /** Starts the bulk push of a table's rows up to rowid {@code upper}. */
    void start(String table, long upper, long baseHlc, long total, String idPrefix) throws SQLException {
        statements.update("INSERT OR REPLACE INTO " + SystemTables.BULK + " (tbl, ord, upper, acked, base_hlc, total, id_prefix)"
                + " VALUES (?, (SELECT coalesce(max(ord), 0) + 1 FROM " + SystemTables.BULK + "), ?, 0, ?, ?, ?)", table, upper,
                baseHlc, total, idPrefix);
    }

    /** The tables of the active scope with a bulk push under way. */
    List<String> tables() throws SQLException {
        return active().stream().map(Bulk::table).toList();
    }

    /** The bulk pushes under way of the active scope's tables, in the order they were started (parents first). */
    List<Bulk> active() throws SQLException {
        if (!any()) {
            return List.of();
        }
        List<Bulk> out = new ArrayList<>();
        PreparedStatement read = statements.get("SELECT tbl, upper, acked, base_hlc, total, id_prefix FROM " + SystemTables.BULK
                + " WHERE " + ScopeStates.NOT_OTHERS + " ORDER BY ord");
        try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                out.add(new Bulk(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getString(6)));
            }
        }
        return out;
    }

    /** The bulk push of {@code table} under way, or null. */
    @Nullable Bulk of(String table) throws SQLException {
        for (Bulk bulk : active()) {
            if (bulk.table().equals(table)) {
                return bulk;
            }
        }
        return null;
    }

    /** Whether any bulk push is under way (cheap: one row per table at most). */
    boolean any() throws SQLException {
        return statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.BULK + ")") != 0;
    }

    /**
     * The server acknowledged {@code table}'s rows through {@code rowid}.
     *
     * @return true when that was the last of them (the record is gone then)
     */
    boolean acknowledged(String table, long rowid) throws SQLException {
        statements.update("UPDATE " + SystemTables.BULK + " SET acked = max(acked, ?) WHERE tbl = ?", rowid, table);
        return statements.update("DELETE FROM " + SystemTables.BULK + " WHERE tbl = ? AND acked >= upper", table) > 0;
    }

    /** The rows not acknowledged yet, over every bulk push under way (a range count on the rowid per table). */
    long remaining() throws SQLException {
        long rows = 0;
        for (Bulk bulk : active()) {
            rows += statements.queryLong("SELECT count(*) FROM " + quoteSql(bulk.table()) + " WHERE rowid > ? AND rowid <= ?"
                    + " AND " + SystemTables.GLOBAL_ID + " IS NOT NULL", bulk.acked(), bulk.upper());
        }
        return rows;
    }

    /**
     * The rows among {@code rows} that a bulk push has not had acknowledged yet, with the bulk's HLC: for a remote change
     * of such a row, the bulk's INSERT is a pending local change (see {@link PageAcceptance}).
     */
    Map<RowKey, Long> unacknowledged(Collection<RowKey> rows) throws SQLException {
        Map<RowKey, Long> out = new HashMap<>();
        if (rows.isEmpty() || !any()) {
            return out;
        }
        Map<String, List<String>> byTable = BulkRanges.byTable(rows);
        for (Bulk bulk : active()) {
            List<String> gids = byTable.get(bulk.table());
            if (gids == null) {
                continue;
            }
            PreparedStatement read = statements.get("SELECT " + SystemTables.GLOBAL_ID + " FROM " + quoteSql(bulk.table()) + " WHERE "
                    + SystemTables.GLOBAL_ID + " IN (SELECT value FROM json_each(?)) AND rowid > ? AND rowid <= ?");
            Sql.bind(read, BulkRanges.json(gids), bulk.acked(), bulk.upper());
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    out.put(new RowKey(bulk.table(), rs.getString(1)), bulk.baseHlc());
                }
            }
        }
        return out;
    }

    /**
     * About how many rows are not acknowledged yet, without counting them: each bulk's rows spread evenly over its
     * rowids. For progress, which the status reads after every page; {@link #remaining()} counts.
     */
    long estimate() throws SQLException {
        long rows = 0;
        for (Bulk bulk : active()) {
            rows += Math.round(bulk.total() * (double) (bulk.upper() - bulk.acked()) / Math.max(1, bulk.upper()));
        }
        return rows;
    }

    /** {@link #estimate()} or {@link #remaining()}, failing with the capture's error. */
    long rows(boolean estimate) {
        try {
            return estimate ? estimate() : remaining();
        }
        catch (SQLException e) {
            throw Sql.failure("reading the bulk pushes failed", e);
        }
    }

    /** Gives up every bulk push (the table is no longer tracked, or the capture is uninstalled). */
    void forget(String table) throws SQLException {
        statements.update("DELETE FROM " + SystemTables.BULK + " WHERE tbl = ?", table);
    }
}
