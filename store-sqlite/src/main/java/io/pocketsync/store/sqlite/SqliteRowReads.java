package io.pocketsync.store.sqlite;

import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.model.Version;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.server.engine.store.StoreJson;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads of stored rows: one row by key, catch-up pages in sequence order, and the mapping of a
 * {@link SqliteBatchWrites#ROW_COLUMNS} result to a {@link RowState}. Runs on whichever connection it is given.
 */
final class SqliteRowReads {
    private static final String ROW_COLUMNS = SqliteBatchWrites.ROW_COLUMNS;

    private SqliteRowReads() {}

    /** Up to {@code limit} rows changed after {@code afterSequence}, reading one more to tell whether more follow. */
    static CatchUpPage page(SqliteConnection connection, Scope scope, long afterSequence, int limit,
            boolean includeDeleted) throws SQLException {
        PreparedStatement statement = connection.prepared("SELECT " + ROW_COLUMNS + " FROM ps_rows "
                + "WHERE scope = ? AND last_seq > ?" + (includeDeleted ? "" : " AND deleted = 0")
                + " ORDER BY last_seq LIMIT ?");
        statement.setString(1, scope.name());
        statement.setLong(2, afterSequence);
        statement.setLong(3, (long) limit + 1);
        List<RowState> rows = new ArrayList<>(Math.min(limit, 1024));
        boolean more = false;
        try (ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                if (rows.size() == limit) {
                    more = true;
                    break;
                }
                rows.add(rowState(rs));
            }
        }
        long next = rows.isEmpty() ? afterSequence : rows.get(rows.size() - 1).lastSequence();
        return new CatchUpPage(rows, next, more);
    }

    /** The stored row with this key, if there is one (tombstones included). */
    static Optional<RowState> row(SqliteConnection connection, Scope scope, String table, String globalId)
            throws SQLException {
        PreparedStatement statement = connection.prepared(
                "SELECT " + ROW_COLUMNS + " FROM ps_rows WHERE scope = ? AND tbl = ? AND gid = ?");
        statement.setString(1, scope.name());
        statement.setString(2, table);
        statement.setString(3, globalId);
        try (ResultSet rs = statement.executeQuery()) {
            return rs.next() ? Optional.of(rowState(rs)) : Optional.empty();
        }
    }

    static RowState rowState(ResultSet rs) throws SQLException {
        return new RowState(rs.getString(1), rs.getString(2), StoreJson.readRow(rs.getString(3)), rs.getInt(4) != 0,
                new Version(new Hlc(rs.getLong(5)), rs.getString(6)), StoreJson.readVersions(rs.getString(7)),
                rs.getString(8), rs.getLong(9), rs.getLong(10));
    }
}
