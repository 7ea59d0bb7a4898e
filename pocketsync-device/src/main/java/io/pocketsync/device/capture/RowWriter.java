package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.ChangeRules;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import java.sql.PreparedStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
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
    private static final Logger LOG = LoggerFactory.getLogger(RowWriter.class);
    /** A remote change that cannot be applied; it is parked, not retried. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final ErrorCode code;

        Refused(ErrorCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    /** Bounds the depth of held descendants (a cycle of references cannot recurse forever). */
    private static final int MAX_HOLD_DEPTH = 64;

    private final StatementCache statements;
    private final Map<String, TableSchema> schemas;
    private final KeyTranslation keys;
    private final HeldRows held;
    private final MissingColumns missing;
    private final DanglingReferences dangling;
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
        this.keys = KeyTranslation.of(schemas);
        this.held = new HeldRows(statements);
        this.missing = new MissingColumns(statements);
        this.dangling = new DanglingReferences(statements);
    }

    /**
     * Checks a change against the rules the server checked it with ({@link ChangeRules}, so a change the server
     * stored is not refused here for its form) and against the local schema.
     */
    TableSchema validate(Change change) throws Refused {
        ChangeRules.Violation violation = ChangeRules.check(change);
        if (violation != null) {
            throw new Refused(violation.code(), violation.reason());
        }
        TableSchema schema = schemas.get(change.table());
        if (schema == null) {
            throw new Refused(ErrorCode.UNKNOWN_TABLE, "table is not tracked on this device: " + shorten(change.table()));
        }
        // columns this device lacks are kept for a later upgrade, not refused (see MissingColumns); an empty image
        // (a table whose only column is its rowid key) still names the row
        return schema;
    }

    /**
     * Queues a validated change: an upsert by gid, or a delete by gid. Consecutive changes with the same statement
     * (table, and column list for an upsert) run together as one {@link ValuesBatch}; a change with another
     * statement first runs what is queued, so changes reach the tables in the order they were written.
     *
     * <p>Keys are translated on the way ({@link KeyTranslation}), and the foreign-key rule of {@link HeldRows}
     * holds: a row whose parent is not here is held instead of written, and a deleted parent's children are held
     * before it goes.
     *
     * @throws Refused when a value is not an SQLite value
     */
    void write(TableSchema schema, Change change) throws SQLException, Refused {
        if (change.isDelete()) {
            held.release(schema.name(), change.globalId());
            missing.forget(schema.name(), change.globalId());
            dangling.forget(schema.name(), change.globalId());
            if (!keys.childrenOf(schema.name()).isEmpty()) {
                flushRun();
                holdChildren(schema.name(), change.globalId(), 0);
            }
            Run run = runFor(new Shape(schema.name(), null));
            run.batch.add(change.globalId());
            run.changes.add(change);
            return;
        }
        Map<String, Object> wire = change.row();
        Map<String, Object> heldImage = held.get(schema.name(), change.globalId());
        if (heldImage != null) {
            // the row is held: this change edits the held image (a partial UPDATE must not become a partial row)
            Map<String, Object> merged = new LinkedHashMap<>(heldImage);
            merged.putAll(wire);
            wire = merged;
        }
        dangling.forget(schema.name(), change.globalId());
        Map<String, Object> row = localImage(schema.name(), change.globalId(), wire);
        if (row == null) {
            held.hold(schema.name(), change.globalId(), wire);
            return;
        }
        if (heldImage != null) {
            held.release(schema.name(), change.globalId());
        }
        queueUpsert(schema, change, row);
    }

    private void queueUpsert(TableSchema schema, Change change, Map<String, Object> image) throws SQLException, Refused {
        Map<String, Object> row = wholeRow(schema, missing.keepMissing(schema, change.globalId(), image));
        if (row.isEmpty()) {
            // only columns this device lacks (kept above): the row must exist all the same
            flushRun();
            statements.update("INSERT INTO " + quoteSql(schema.name()) + " (" + SystemTables.GLOBAL_ID + ") VALUES (?) ON CONFLICT ("
                    + SystemTables.GLOBAL_ID + ") WHERE " + SystemTables.GLOBAL_ID + " IS NOT NULL DO NOTHING", change.globalId());
            return;
        }
        Run run = runFor(new Shape(schema.name(), row.keySet()));
        Object[] values = new Object[run.columns.size() + 1];
        for (int i = 0; i < run.columns.size(); i++) {
            Object value = row.get(run.columns.get(i));
            if (!ChangeRules.isValue(value)) {
                throw new Refused(ErrorCode.INVALID_CHANGE, "column " + shorten(run.columns.get(i)) + " holds no SQLite value");
            }
            values[i] = value;
        }
        values[values.length - 1] = change.globalId();
        run.batch.add(values);
        run.changes.add(change);
    }

    /**
     * {@code row} with every column of {@code schema} it lacks set to the column's default. An image from the server
     * is the whole row (the server completes partial images from the row it holds, protocol.md 2.1): a column it
     * lacks was never written in this row's life, e.g. one an upgrade added after the row was deleted and created
     * again, which a catch-up page shows as one image. Were it left as it is here, a value from the row's earlier
     * life (or one kept for a column this device lacked then) would stay on this device only.
     */
    private static Map<String, Object> wholeRow(TableSchema schema, Map<String, Object> row) {
        if (row.size() >= schema.columns().size()) {
            return row;
        }
        String rowidKey = schema.rowidKey();
        Map<String, Object> whole = null;
        for (TableSchema.Column column : schema.columns()) {
            if (!row.containsKey(column.name()) && !column.name().equals(rowidKey)) {
                if (whole == null) {
                    whole = new LinkedHashMap<>(row);
                }
                whole.put(column.name(), column.defaultValue());
            }
        }
        return whole == null ? row : whole;
    }

    /**
     * The local image of a wire image, or null when a parent it references is not here. A parent queued but not yet
     * written (the run before, or a row of the same run that references another) is written first and looked up again.
     */
    private Map<String, Object> localImage(String table, String globalId, Map<String, Object> wire) throws SQLException {
        Map<String, Object> row = keys.toLocal(table, wire, this::rowid);
        if (row == null && current != null && !current.changes.isEmpty()) {
            flushRun();
            row = keys.toLocal(table, wire, this::rowid);
        }
        if (row == null) {
            // ON DELETE SET NULL references to a missing parent: NULL now, restored if the parent arrives (DanglingReferences)
            row = keys.toLocal(table, wire, this::rowid, true);
            if (row != null) {
                KeyTranslation.TableKeys tableKeys = keys.keys(table);
                for (String column : tableKeys.setNull()) {
                    if (wire.get(column) instanceof String && row.get(column) == null) {
                        dangling.remember(table, globalId, column, tableKeys.references().get(column), (String) wire.get(column));
                    }
                }
            }
        }
        return row;
    }

    private Long rowid(String table, String globalId) throws SQLException {
        PreparedStatement find = statements.get("SELECT rowid FROM " + quoteSql(table) + " WHERE " + SystemTables.GLOBAL_ID + " = ?");
        find.setString(1, globalId);
        try (ResultSet rs = find.executeQuery()) {
            return rs.next() ? rs.getLong(1) : null;
        }
    }

    /**
     * Holds every row that references the row {@code globalId} of {@code table}, depth first, and removes them from
     * their tables, before that row is deleted (the foreign-key rule of {@link HeldRows}).
     */
    private void holdChildren(String table, String globalId, int depth) throws SQLException {
        Long parent = rowid(table, globalId);
        if (parent == null || depth > MAX_HOLD_DEPTH) {
            return;
        }
        for (Map.Entry<String, List<String>> child : keys.childrenOf(table).entrySet()) {
            String childTable = child.getKey();
            TableSchema childSchema = schemas.get(childTable);
            for (String column : child.getValue()) {
                if (keys.keys(childTable).setNull().contains(column)) {
                    // ON DELETE SET NULL: the child stays, without its parent (not captured: every device does the same)
                    List<String> children = new ArrayList<>();
                    PreparedStatement find = statements.get("SELECT " + SystemTables.GLOBAL_ID + " FROM " + quoteSql(childTable)
                            + " WHERE " + quoteSql(column) + " = ? AND " + SystemTables.GLOBAL_ID + " IS NOT NULL");
                    find.setLong(1, parent);
                    try (ResultSet rs = find.executeQuery()) {
                        while (rs.next()) {
                            children.add(rs.getString(1));
                        }
                    }
                    for (String id : children) {
                        dangling.remember(childTable, id, column, table, globalId);
                    }
                    statements.update("UPDATE " + quoteSql(childTable) + " SET " + quoteSql(column) + " = NULL WHERE "
                            + quoteSql(column) + " = ?", parent);
                    continue;
                }
                String where = " FROM " + quoteSql(childTable) + " WHERE " + quoteSql(column) + " = ? AND " + SystemTables.GLOBAL_ID
                        + " IS NOT NULL";
                List<String> ids = new ArrayList<>();
                PreparedStatement find = statements.get("SELECT " + SystemTables.GLOBAL_ID + where);
                find.setLong(1, parent);
                try (ResultSet rs = find.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
                for (String id : ids) {
                    if (!(childTable.equals(table) && id.equals(globalId))) {
                        holdChildren(childTable, id, depth + 1);
                    }
                }
                PreparedStatement image = statements.get("SELECT " + SystemTables.GLOBAL_ID + ", "
                        + keys.wireImageSql(childTable, TriggerGenerator.image(childSchema, quoteSql(childTable) + ".")) + where);
                image.setLong(1, parent);
                List<String[]> images = new ArrayList<>();
                try (ResultSet rs = image.executeQuery()) {
                    while (rs.next()) {
                        images.add(new String[] {rs.getString(1), rs.getString(2)});
                    }
                }
                for (String[] held : images) {
                    this.held.holdJson(childTable, held[0], held[1]);
                }
                statements.update("DELETE" + where, parent);
            }
        }
    }

    /** Writes the held rows whose parents are here now, until none is left to write. */
    private void writeReleasedRows() throws SQLException {
        dangling.restore();
        boolean progress = true;
        java.util.Set<String> stuck = new java.util.HashSet<>(); // refused once in this flush: not tried again in it
        while (progress && !held.isEmpty()) {
            progress = false;
            List<Change> released = new ArrayList<>();
            for (HeldRows.Held row : held.all()) {
                if (stuck.contains(row.table() + "\u0000" + row.globalId())) {
                    continue;
                }
                TableSchema schema = schemas.get(row.table());
                Map<String, Object> local = schema == null ? null : keys.toLocal(row.table(), row.row(), this::rowid);
                if (local == null) {
                    continue;
                }
                held.release(row.table(), row.globalId());
                Change change = new Change("held-" + row.globalId(), row.table(), row.globalId(), Op.UPDATE, row.row(),
                        List.of(), Hlc.ZERO, "");
                released.add(change);
                try {
                    queueUpsert(schema, change, local);
                }
                catch (Refused e) {
                    refused.put(change, e);
                }
                progress = true;
            }
            flushRun();
            // a released row a local constraint refuses is no change anyone sent: it goes back to the held rows, with
            // a warning, rather than into the refusals (which name the page's changes) where it would be lost
            for (Change change : released) {
                Refused refusal = refused.remove(change);
                if (refusal != null) {
                    stuck.add(change.table() + "\u0000" + change.globalId());
                    held.hold(change.table(), change.globalId(), change.row());
                    LOG.warn("row {} of {} stays held: its parent is here but {}", shorten(change.globalId()),
                            shorten(change.table()), refusal.getMessage());
                }
            }
        }
    }

    /**
     * Runs every queued change. Returns the changes a local constraint refused (by identity), with the reason; all
     * others are written.
     */
    Map<Change, Refused> flush() throws SQLException {
        flushRun();
        writeReleasedRows();
        held.sayNewlyHeld();
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
