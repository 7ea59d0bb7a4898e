package io.pocketsync.core.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
    /** Upsert SQL per table and column list: a page repeats the same few, and building them showed in profiles. */
    private final Map<UpsertShape, Upsert> upserts = new HashMap<>();
    private final Map<String, String> deletes = new HashMap<>();

    /** A table and an (unordered) column set. */
    private record UpsertShape(String table, Set<String> columns) {}

    /** The SQL of an upsert and the order of its columns' parameters (then the gid). */
    private record Upsert(String sql, List<String> columns) {}

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
        if (change.isDelete()) {
            String delete = deletes.computeIfAbsent(schema.name(),
                    name -> "DELETE FROM " + quoteSql(name) + " WHERE " + SystemTables.GLOBAL_ID + " = ?");
            statements.update(delete, change.globalId());
            return;
        }
        Map<String, Object> row = change.row();
        Upsert upsert = upserts.get(new UpsertShape(schema.name(), row.keySet()));
        if (upsert == null) {
            List<String> columns = List.copyOf(row.keySet());
            upsert = new Upsert(upsertSql(schema.name(), columns), columns);
            upserts.put(new UpsertShape(schema.name(), Set.copyOf(columns)), upsert);
        }
        Object[] values = new Object[upsert.columns().size() + 1];
        for (int i = 0; i < upsert.columns().size(); i++) {
            values[i] = row.get(upsert.columns().get(i));
        }
        values[values.length - 1] = change.globalId();
        try {
            statements.update(upsert.sql(), values);
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

    /** The upsert by gid of {@code columns}, in that order, then the gid. */
    private static String upsertSql(String table, List<String> columns) {
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(quoteSql(table)).append(" (");
        StringBuilder set = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            String column = quoteSql(columns.get(i));
            sql.append(column).append(", ");
            set.append(i == 0 ? "" : ", ").append(column).append(" = excluded.").append(column);
        }
        return sql.append(SystemTables.GLOBAL_ID).append(") VALUES (").append("?, ".repeat(columns.size())).append("?) ON CONFLICT (")
                .append(SystemTables.GLOBAL_ID).append(") WHERE ").append(SystemTables.GLOBAL_ID).append(" IS NOT NULL DO UPDATE SET ")
                .append(set).toString();
    }

    static String shorten(String name) {
        String shown = name.length() > 60 ? name.substring(0, 60) + "..." : name;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
