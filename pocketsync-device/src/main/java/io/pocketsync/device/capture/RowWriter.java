package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.model.Change;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes remote changes into their local tables, matched by {@code ps_global_id} (an upsert on its unique index, or a
 * delete). Changes are queued and run in batches ({@link #flush}), in order. Must run inside the engine's applying
 * transaction (echo suppression on). Every name from the network is checked against the local schema before any SQL
 * is built, and quoted.
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
    /** A run per statement shape: a page repeats the same few, and building their SQL showed in profiles. */
    private final Map<Shape, Run> runs = new HashMap<>();
    private Run current;
    private Map<Change, Refused> refused = new IdentityHashMap<>();

    /** A table and an (unordered) column set for an upsert; no columns for a delete. */
    private record Shape(String table, Set<String> columns) {}

    /** Queued changes of one statement shape; {@code columns} orders an upsert's values (then the gid). */
    private record Run(Shape shape, List<String> columns, ValuesBatch batch, List<Change> changes) {
        Run(Shape shape, List<String> columns, ValuesBatch batch) {
            this(shape, columns, batch, new ArrayList<>());
        }
    }

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

    /**
     * Queues a validated change: an upsert by gid, or a delete by gid. Consecutive changes with the same statement
     * (table, and column list for an upsert) run together as one {@link ValuesBatch}; a change with another
     * statement first runs what is queued, so changes reach the tables in the order they were written.
     *
     * @throws Refused when a value is not an SQLite value
     */
    void write(TableSchema schema, Change change) throws SQLException, Refused {
        if (change.isDelete()) {
            Run run = runFor(new Shape(schema.name(), null));
            run.batch.add(change.globalId());
            run.changes.add(change);
            return;
        }
        Map<String, Object> row = change.row();
        Run run = runFor(new Shape(schema.name(), row.keySet()));
        Object[] values = new Object[run.columns.size() + 1];
        for (int i = 0; i < run.columns.size(); i++) {
            Object value = row.get(run.columns.get(i));
            if (!Sql.isValue(value)) {
                throw new Refused(ErrorCode.INVALID_CHANGE, "column " + shorten(run.columns.get(i)) + " holds no SQLite value");
            }
            values[i] = value;
        }
        values[values.length - 1] = change.globalId();
        run.batch.add(values);
        run.changes.add(change);
    }

    /**
     * Runs every queued change. Returns the changes a local constraint refused (by identity), with the reason; all
     * others are written.
     */
    Map<Change, Refused> flush() throws SQLException {
        flushRun();
        Map<Change, Refused> out = refused;
        refused = new IdentityHashMap<>();
        return out;
    }

    private Run runFor(Shape shape) throws SQLException {
        if (current != null && current.shape.equals(shape)) {
            return current;
        }
        flushRun();
        current = runs.get(shape);
        if (current == null) {
            current = newRun(shape);
            runs.put(new Shape(shape.table(), shape.columns() == null ? null : Set.copyOf(shape.columns())), current);
        }
        return current;
    }

    private Run newRun(Shape shape) {
        String table = quoteSql(shape.table());
        if (shape.columns() == null) {
            return new Run(shape, List.of(), new ValuesBatch(statements,
                    "DELETE FROM " + table + " WHERE " + SystemTables.GLOBAL_ID + " IN (", 1, ")"));
        }
        List<String> columns = List.copyOf(shape.columns());
        StringBuilder head = new StringBuilder("INSERT INTO ").append(table).append(" (");
        StringBuilder set = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            String column = quoteSql(columns.get(i));
            head.append(column).append(", ");
            set.append(i == 0 ? "" : ", ").append(column).append(" = excluded.").append(column);
        }
        head.append(SystemTables.GLOBAL_ID).append(')');
        String tail = "ON CONFLICT (" + SystemTables.GLOBAL_ID + ") WHERE " + SystemTables.GLOBAL_ID + " IS NOT NULL DO UPDATE SET " + set;
        return new Run(shape, columns, new ValuesBatch(statements, head.toString(), columns.size() + 1, tail));
    }

    private void flushRun() throws SQLException {
        if (current == null || current.changes.isEmpty()) {
            return;
        }
        Run run = current;
        try {
            run.batch.flush((index, e) -> refused.put(run.changes.get(index), refusal(run.changes.get(index), e)));
        }
        finally {
            run.changes.clear();
        }
    }

    private Refused refusal(Change change, SQLException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("UNIQUE") || message.contains("PRIMARY KEY")) {
            return new Refused(ErrorCode.KEY_COLLISION, "row " + change.globalId() + " collides with a different local row of "
                    + shorten(change.table()) + " on a primary or unique key");
        }
        return new Refused(ErrorCode.INVALID_CHANGE, "row violates a local constraint: " + message);
    }

    static String shorten(String name) {
        String shown = name.length() > 60 ? name.substring(0, 60) + "..." : name;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
