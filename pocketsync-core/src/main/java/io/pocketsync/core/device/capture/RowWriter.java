package io.pocketsync.core.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Version;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes one remote change into its local table, matched by {@code ps_global_id}. Must run inside the
 * engine's applying transaction (echo suppression on). Every name from the network is checked against
 * the local schema before any SQL is built, and quoted.
 */
final class RowWriter {
    /** A remote change that cannot be applied; it is parked, not retried. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final ErrorCode code;

        Refused(ErrorCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private final Connection connection;
    private final Map<String, TableSchema> schemas;
    private final String deviceId;

    RowWriter(Connection connection, Map<String, TableSchema> schemas, String deviceId) {
        this.connection = requireNonNull(connection, "connection is null");
        this.schemas = requireNonNull(schemas, "schemas is null");
        this.deviceId = requireNonNull(deviceId, "deviceId is null");
    }

    /** Checks a change against the local schema. */
    TableSchema validate(Change change) throws Refused {
        if (!Identifiers.isChangeId(change.changeId())) {
            throw new Refused(ErrorCode.INVALID_CHANGE, "invalid change id");
        }
        TableSchema schema = schemas.get(change.table());
        if (schema == null) {
            throw new Refused(ErrorCode.UNKNOWN_TABLE, "table is not tracked on this device: " + shorten(change.table()));
        }
        if (!Identifiers.isChangeId(change.globalId())) {
            throw new Refused(ErrorCode.INVALID_CHANGE, "invalid row id (gid)");
        }
        for (String column : change.row().keySet()) {
            if (!schema.hasColumn(column)) {
                throw new Refused(ErrorCode.UNKNOWN_COLUMN, "table " + schema.name() + " has no column " + shorten(column));
            }
        }
        if (!change.isDelete() && change.row().isEmpty()) {
            throw new Refused(ErrorCode.INVALID_CHANGE, change.op() + " without a row image");
        }
        return schema;
    }

    /**
     * Whether the local row has a pending change that wins over {@code remote} (later version), or an
     * acknowledged change the server sequenced after {@code pageCursor} (its state supersedes the page's).
     */
    boolean localWins(Change remote, long pageCursor) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT max(hlc), count(*) FROM "
                + SystemTables.CHANGES + " WHERE tbl = ? AND gid = ? AND state = 'pending'")) {
            statement.setString(1, remote.table());
            statement.setString(2, remote.globalId());
            try (ResultSet rs = statement.executeQuery()) {
                if (rs.next() && rs.getLong(2) > 0
                        && new Version(new Hlc(rs.getLong(1)), deviceId).isAfter(remote.version())) {
                    return true;
                }
            }
        }
        return pageCursor > 0 && Sql.queryLong(connection, "SELECT count(*) FROM " + SystemTables.CHANGES
                + " WHERE tbl = ? AND gid = ? AND state = 'acked' AND server_seq > ?",
                remote.table(), remote.globalId(), pageCursor) > 0;
    }

    /** Applies a validated change: upsert by gid or delete by gid. */
    void write(TableSchema schema, Change change) throws SQLException, Refused {
        String table = quoteSql(schema.name());
        if (change.isDelete()) {
            Sql.update(connection, "DELETE FROM " + table + " WHERE " + SystemTables.GLOBAL_ID + " = ?", change.globalId());
            return;
        }
        List<String> columns = new ArrayList<>(change.row().keySet());
        List<Object> values = new ArrayList<>(change.row().values());
        try {
            long rowid = findRow(table, change.globalId());
            if (rowid != Long.MIN_VALUE) {
                StringBuilder sql = new StringBuilder("UPDATE ").append(table).append(" SET ");
                for (int i = 0; i < columns.size(); i++) {
                    sql.append(i == 0 ? "" : ", ").append(quoteSql(columns.get(i))).append(" = ?");
                }
                values.add(rowid);
                Sql.update(connection, sql.append(" WHERE rowid = ?").toString(), values.toArray());
            }
            else {
                StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (");
                for (String column : columns) {
                    sql.append(quoteSql(column)).append(", ");
                }
                sql.append(SystemTables.GLOBAL_ID).append(") VALUES (").append("?, ".repeat(columns.size())).append("?)");
                values.add(change.globalId());
                Sql.update(connection, sql.toString(), values.toArray());
            }
        }
        catch (SQLException e) {
            if (e.getErrorCode() != 19) { // SQLITE_CONSTRAINT
                throw e;
            }
            String message = String.valueOf(e.getMessage());
            if (message.contains("UNIQUE") || message.contains("PRIMARY KEY")) {
                throw new Refused(ErrorCode.KEY_COLLISION, "row " + change.globalId() + " collides with a different local row of "
                        + schema.name() + " on a primary or unique key");
            }
            throw new Refused(ErrorCode.INVALID_CHANGE, "row violates a local constraint: " + message);
        }
        catch (PocketSyncException e) {
            throw new Refused(e.code(), e.getMessage());
        }
    }

    private long findRow(String table, String globalId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT rowid FROM " + table + " WHERE " + SystemTables.GLOBAL_ID + " = ?")) {
            statement.setString(1, globalId);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? rs.getLong(1) : Long.MIN_VALUE;
            }
        }
    }

    static String shorten(String name) {
        String shown = name.length() > 60 ? name.substring(0, 60) + "..." : name;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
