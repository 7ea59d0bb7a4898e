package io.pocketsync.core.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes one remote change into its local table, matched by {@code ps_global_id} (an upsert on its unique index). Must run inside the
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

    private final StatementCache statements;
    private final Map<String, TableSchema> schemas;

    RowWriter(StatementCache statements, Map<String, TableSchema> schemas) {
        this.statements = requireNonNull(statements, "statements is null");
        this.schemas = requireNonNull(schemas, "schemas is null");
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

    /** Applies a validated change: upsert by gid (one statement, reused per table and column list) or delete by gid. */
    void write(TableSchema schema, Change change) throws SQLException, Refused {
        String table = quoteSql(schema.name());
        if (change.isDelete()) {
            statements.update("DELETE FROM " + table + " WHERE " + SystemTables.GLOBAL_ID + " = ?", change.globalId());
            return;
        }
        List<String> columns = new ArrayList<>(change.row().keySet());
        Object[] values = new Object[columns.size() + 1];
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (");
        StringBuilder set = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            String column = quoteSql(columns.get(i));
            sql.append(column).append(", ");
            set.append(i == 0 ? "" : ", ").append(column).append(" = excluded.").append(column);
            values[i] = change.row().get(columns.get(i));
        }
        values[columns.size()] = change.globalId();
        sql.append(SystemTables.GLOBAL_ID).append(") VALUES (").append("?, ".repeat(columns.size())).append("?) ON CONFLICT (")
                .append(SystemTables.GLOBAL_ID).append(") WHERE ").append(SystemTables.GLOBAL_ID).append(" IS NOT NULL DO UPDATE SET ").append(set);
        try {
            statements.update(sql.toString(), values);
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

    static String shorten(String name) {
        String shown = name.length() > 60 ? name.substring(0, 60) + "..." : name;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
