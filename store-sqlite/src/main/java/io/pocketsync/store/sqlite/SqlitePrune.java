package io.pocketsync.store.sqlite;

import io.pocketsync.api.model.Scope;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Retention: removes a scope's old tombstones, idempotency records and audit entries and raises its horizon.
 * Runs on the writer inside a transaction the caller opened under the write lock.
 */
final class SqlitePrune {
    private SqlitePrune() {}

    /** Prunes what was committed before {@code cut} (epoch millis); returns the scope's horizon, 0 for an unknown scope. */
    static long inTransaction(SqliteConnection writer, Scope scope, long cut) throws SQLException {
        PreparedStatement selectHorizon = writer.prepared("SELECT horizon FROM ps_scopes WHERE scope = ?");
        selectHorizon.setString(1, scope.name());
        long horizon;
        try (ResultSet rs = selectHorizon.executeQuery()) {
            if (!rs.next()) {
                return 0;
            }
            horizon = rs.getLong(1);
        }
        PreparedStatement highest = writer.prepared(
                "SELECT max(last_seq) FROM ps_rows WHERE scope = ? AND deleted = 1 AND committed_at < ?");
        highest.setString(1, scope.name());
        highest.setLong(2, cut);
        try (ResultSet rs = highest.executeQuery()) {
            if (rs.next()) {
                horizon = Math.max(horizon, rs.getLong(1));
            }
        }
        SqliteProcessedIds.prune(writer, scope, cut);
        for (String sql : List.of("DELETE FROM ps_rows WHERE scope = ? AND deleted = 1 AND committed_at < ?",
                "DELETE FROM ps_audit WHERE scope = ? AND at < ?")) {
            PreparedStatement delete = writer.prepared(sql);
            delete.setString(1, scope.name());
            delete.setLong(2, cut);
            delete.executeUpdate();
        }
        PreparedStatement update = writer.prepared("UPDATE ps_scopes SET horizon = ? WHERE scope = ?");
        update.setLong(1, horizon);
        update.setString(2, scope.name());
        update.executeUpdate();
        forgetHeldIds(writer, scope, cut);
        return horizon;
    }

    /**
     * Rows committed before the cut no longer count as holding their change ids ({@link SqliteSchema}, layout 3), as
     * the ids it removes from {@code ps_processed}: the cut and the head are kept together, so rows written after this
     * prune count whatever the clock says. A smaller cut than the kept one changes nothing, so an id forgotten once is
     * not remembered again; the migration's mark ({@link Long#MAX_VALUE}: no older row counts, its ids are all in
     * {@code ps_processed}) gives way to the first prune.
     */
    private static void forgetHeldIds(SqliteConnection writer, Scope scope, long cut) throws SQLException {
        PreparedStatement update = writer.prepared("UPDATE ps_scopes SET ids_pruned_head = head, ids_pruned_before = ?1"
                + " WHERE scope = ?2 AND (?1 >= ids_pruned_before OR ids_pruned_before = " + Long.MAX_VALUE + ")");
        update.setLong(1, cut);
        update.setString(2, scope.name());
        update.executeUpdate();
    }
}
