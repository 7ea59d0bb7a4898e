package io.pocketsync.store.sqlite;

import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.server.engine.store.StoreJson;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Iterator;
import org.sqlite.SQLiteException;

/**
 * The multi-row writes of a batch: processed ids and row states, many rows per statement. Runs on the
 * writer inside the batch's transaction. Not thread-safe.
 *
 * <p>Every statement binds the scope as {@code ?1} and the commit time as {@code ?2} once, and only what
 * differs per row after them: binding a parameter is a JNI call and a copy, and per-row parameters were
 * a large part of a batch's cost.
 *
 * <p>The <em>optimistic</em> write ({@link #writeRows} with {@code allNew}) assumes that no row of a batch of INSERTs
 * exists yet, which holds for almost every batch (an INSERT change creates a row with a fresh global id; a re-sent
 * one finds its row, which holds its id, see {@link SqliteProcessedIds}). It is {@code INSERT OR ROLLBACK}: a row
 * that is there after all rolls the whole transaction back and raises a constraint error
 * ({@link #isOptimisticConflict}), and the store applies the batch again the exact way. It spares the batch the
 * load of rows that would have found nothing.
 */
final class SqliteBatchWrites {
    /** Rows per multi-row statement (10 parameters each): few statements, far below SQLite's parameter limit. */
    static final int ROWS_PER_STATEMENT = 32;

    static final String ROW_COLUMNS =
            "tbl, gid, row_json, deleted, hlc, device, column_versions, last_change_id, first_seq, last_seq";
    private static final int ROW_PARAMETERS = 10;

    private static final String[] NEW_ROWS = statements(ROWS_PER_STATEMENT,
            "INSERT OR ROLLBACK INTO ps_rows (scope, " + ROW_COLUMNS + ", committed_at) VALUES ", ROW_PARAMETERS, "");
    private static final String[] UPSERT_ROWS = statements(ROWS_PER_STATEMENT,
            "INSERT INTO ps_rows (scope, " + ROW_COLUMNS + ", committed_at) VALUES ", ROW_PARAMETERS,
            " ON CONFLICT (scope, tbl, gid) DO UPDATE SET "
                    + "row_json = excluded.row_json, deleted = excluded.deleted, hlc = excluded.hlc, device = excluded.device, "
                    + "column_versions = excluded.column_versions, last_change_id = excluded.last_change_id, "
                    + "first_seq = excluded.first_seq, last_seq = excluded.last_seq, committed_at = excluded.committed_at");

    private SqliteBatchWrites() {}

    /**
     * The text of a multi-row INSERT for every size up to {@code max} (index = rows): {@code (?1, ?3, ..., ?2)}
     * per row, so scope and commit time are bound once. Built once: the connection's statement cache is keyed
     * by these very strings, whose hash codes are then computed once.
     */
    static String[] statements(int max, String head, int perRow, String tail) {
        String[] texts = new String[max + 1];
        for (int rows = 1; rows <= max; rows++) {
            StringBuilder sql = new StringBuilder(head.length() + tail.length() + rows * (8 + perRow * 6));
            sql.append(head);
            for (int row = 0; row < rows; row++) {
                sql.append(row == 0 ? "(?1" : ", (?1");
                for (int i = 0; i < perRow; i++) {
                    sql.append(", ?").append(3 + row * perRow + i);
                }
                sql.append(", ?2)");
            }
            texts[rows] = sql.append(tail).toString();
        }
        return texts;
    }

    /**
     * Writes the batch's row states. With {@code allNew} they are plain inserts (optimistic, see the class
     * comment); otherwise an upsert updates a stored row in place (REPLACE would delete it and re-insert it
     * in every index).
     */
    static void writeRows(SqliteConnection writer, Scope scope, Collection<BatchPlan.Planned> rows, long now, boolean allNew)
            throws SQLException {
        String[] texts = allNew ? NEW_ROWS : UPSERT_ROWS;
        Iterator<BatchPlan.Planned> next = rows.iterator();
        for (int size : SqliteBatchReads.chunkSizes(rows.size(), ROWS_PER_STATEMENT)) {
            PreparedStatement statement = writer.prepared(texts[size]);
            statement.setString(1, scope.name());
            statement.setLong(2, now);
            int parameter = 3;
            for (int i = 0; i < size; i++) {
                RowState state = next.next().state();
                statement.setString(parameter++, state.table());
                statement.setString(parameter++, state.globalId());
                statement.setString(parameter++, StoreJson.writeRow(state.row()));
                statement.setInt(parameter++, state.deleted() ? 1 : 0);
                statement.setLong(parameter++, state.version().hlc().value());
                statement.setString(parameter++, state.version().deviceId());
                statement.setString(parameter++, versions(state));
                statement.setString(parameter++, state.lastChangeId());
                statement.setLong(parameter++, state.firstSequence());
                statement.setLong(parameter++, state.lastSequence());
            }
            statement.executeUpdate();
        }
    }

    private static String versions(RowState state) {
        // Whole-row resolvers keep no column versions: most rows store this constant.
        return state.columnVersions().isEmpty() ? "{}" : StoreJson.writeVersions(state.columnVersions());
    }

    /** Whether an optimistic write found its row already there (SQLite has rolled the transaction back). */
    static boolean isOptimisticConflict(SQLException e) {
        return e instanceof SQLiteException sqlite && (sqlite.getResultCode().code & 0xff) == 19; // SQLITE_CONSTRAINT
    }
}
