package io.pocketsync.store.sqlite;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.server.engine.store.StoreJson;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads a scope's audit log in id order; the entries are written by {@link SqliteBatchTransaction}. */
final class SqliteAuditReads {
    private SqliteAuditReads() {}

    /** Up to {@code limit} entries after {@code afterId}; none for a limit below 1. */
    static List<AuditEntry> read(SqliteConnection connection, Scope scope, long afterId, int limit) throws SQLException {
        PreparedStatement statement = connection.prepared("SELECT id, at, status, change_json, winner_change_id, "
                + "error_code, reason FROM ps_audit WHERE scope = ? AND id > ? ORDER BY id LIMIT ?");
        statement.setString(1, scope.name());
        statement.setLong(2, afterId);
        statement.setInt(3, Math.max(0, limit));
        List<AuditEntry> entries = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                String code = rs.getString(6);
                entries.add(new AuditEntry(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)),
                        ChangeStatus.valueOf(rs.getString(3)), StoreJson.readChange(rs.getString(4)), rs.getString(5),
                        code == null ? null : ErrorCode.valueOf(code), rs.getString(7)));
            }
        }
        return entries;
    }
}
