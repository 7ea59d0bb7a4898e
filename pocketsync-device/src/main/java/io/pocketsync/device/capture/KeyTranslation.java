package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Translates the keys of tracked tables between a device's local numbering and the wire, where rows are
 * named by {@code ps_global_id} only.
 *
 * <p><b>Rowid keys are local.</b> An {@code INTEGER PRIMARY KEY} column aliases SQLite's rowid, which every
 * device assigns on its own ({@code AUTOINCREMENT} or not), so two devices inserting at once pick the same
 * number for different rows. Such a column never leaves the device: the captured row image drops it, and a
 * remote row is inserted without it, so SQLite gives it the next free local number. The same logical row may
 * therefore have different key numbers on different devices; {@code ps_global_id} is what names it everywhere.
 *
 * <p><b>References follow the row, not the number.</b> A single-column foreign key to the rowid key of another
 * tracked table (including a table referencing itself) carries the parent's {@code ps_global_id} on the wire,
 * as a string, and is turned back into the parent's local rowid on apply. A foreign key to any other column (a
 * TEXT or natural key) is the same value on every device and travels as it is.
 *
 * <p>Immutable; built from the tracked tables' schemas.
 */
final class KeyTranslation {
    /**
     * The keys of one table.
     *
     * @param rowidKey its local rowid key, or null
     * @param references its translated reference columns, each to its parent table
     * @param setNull the references declared {@code ON DELETE SET NULL}: a missing parent makes them NULL rather than
     *        holding the row
     */
    record TableKeys(String rowidKey, Map<String, String> references, java.util.Set<String> setNull) {
        TableKeys(String rowidKey, Map<String, String> references) {
            this(rowidKey, references, java.util.Set.of());
        }
    }

    private final Map<String, TableKeys> tables;
    /** Per parent table, the tables referencing it and their columns: asked at every applied delete. */
    private final Map<String, Map<String, List<String>>> children = new LinkedHashMap<>();

    private KeyTranslation(Map<String, TableKeys> tables) {
        this.tables = tables;
        tables.forEach((table, keys) -> keys.references().forEach((column, parent) -> children
                .computeIfAbsent(parent, p -> new LinkedHashMap<>()).computeIfAbsent(table, t -> new ArrayList<>()).add(column)));
    }

    /** The translation for the tracked tables {@code schemas} (a table missing from them is not translated). */
    static KeyTranslation of(Map<String, TableSchema> schemas) {
        Map<String, TableKeys> tables = new LinkedHashMap<>();
        for (TableSchema schema : schemas.values()) {
            if (schema == null) {
                continue;
            }
            Map<String, String> references = new LinkedHashMap<>();
            java.util.Set<String> setNull = new java.util.HashSet<>();
            for (TableSchema.ForeignKey key : schema.foreignKeys()) {
                TableSchema parent = schemas.get(key.parentTable());
                String parentKey = parent == null ? null : parent.rowidKey();
                if (parentKey != null && (key.parentColumn() == null || key.parentColumn().equalsIgnoreCase(parentKey))
                        && pathSafe(key.column())) {
                    references.put(key.column(), parent.name());
                    if ("SET NULL".equalsIgnoreCase(key.onDelete())) {
                        setNull.add(key.column());
                    }
                }
            }
            String rowidKey = schema.rowidKey();
            if (rowidKey != null && !pathSafe(rowidKey)) {
                rowidKey = null;
            }
            if (rowidKey != null || !references.isEmpty()) {
                tables.put(schema.name(), new TableKeys(rowidKey, Collections.unmodifiableMap(references), java.util.Set.copyOf(setNull)));
            }
        }
        return new KeyTranslation(Collections.unmodifiableMap(tables));
    }

    /** The keys of {@code table}, or null when nothing of it is translated. */
    TableKeys keys(String table) {
        return tables.get(table);
    }

    boolean isEmpty() {
        return tables.isEmpty();
    }

    /**
     * SQL that turns the local JSON row image {@code json} (an SQL expression whose column names are qualified by their
     * table, as they are evaluated inside a subquery over the parent table) of a {@code table} row into its wire
     * image: references become the parent's {@code ps_global_id}, the rowid key is dropped. A reference whose parent
     * has no id keeps its number (the parent was written after the child with foreign keys off and is not sealed yet).
     */
    String wireImageSql(String table, String json) {
        TableKeys keys = tables.get(table);
        if (keys == null) {
            return json;
        }
        String image = json;
        for (Map.Entry<String, String> reference : keys.references().entrySet()) {
            String path = path(reference.getKey());
            String local = "json_extract(" + json + ", " + path + ")";
            // the parent is aliased, so that the image's column names (qualified by the caller) never bind to it
            image = "json_set(" + image + ", " + path + ", coalesce((SELECT ps_parent." + SystemTables.GLOBAL_ID + " FROM "
                    + quoteSql(reference.getValue()) + " AS ps_parent WHERE ps_parent.rowid = " + local + "), " + local + "))";
        }
        if (keys.rowidKey() != null) {
            image = "json_remove(" + image + ", " + path(keys.rowidKey()) + ")";
        }
        return image;
    }

    /**
     * Rewrites the row images of the changes queued after {@code afterSeq} into wire images. Runs in the sealing
     * transaction after the round's new rows got their ids, so a parent sealed in the same round as its child
     * is found.
     */
    void toWire(StatementCache statements, long afterSeq) throws SQLException {
        for (String table : tables.keySet()) {
            statements.update("UPDATE " + SystemTables.CHANGES + " SET row_json = " + wireImageSql(table, SystemTables.CHANGES + ".row_json")
                    + " WHERE seq > ? AND tbl = ? AND op != 'DELETE'", afterSeq, table);
        }
    }

    /** Finds a parent row's local rowid by its {@code ps_global_id}. */
    interface ParentLookup {
        /** The rowid of {@code gid} in {@code table}, or null when no such row is here. */
        Long rowid(String table, String gid) throws SQLException;
    }

    /**
     * The local image of a wire row image of {@code table}: the rowid key removed (SQLite assigns a local one),
     * references turned into local rowids. Returns {@code row} itself when nothing changes.
     *
     * @return the local image, or null when a referenced parent is not on this device
     */
    Map<String, Object> toLocal(String table, Map<String, Object> row, ParentLookup lookup) throws SQLException {
        return toLocal(table, row, lookup, false);
    }

    /**
     * Like {@link #toLocal(String, Map, ParentLookup)}; with {@code setNullWhenMissing}, a reference declared
     * {@code ON DELETE SET NULL} whose parent is not here becomes NULL instead of making the result null.
     */
    Map<String, Object> toLocal(String table, Map<String, Object> row, ParentLookup lookup, boolean setNullWhenMissing)
            throws SQLException {
        TableKeys keys = tables.get(table);
        if (keys == null) {
            return row;
        }
        Map<String, Object> local = row;
        if (keys.rowidKey() != null && row.containsKey(keys.rowidKey())) {
            local = new LinkedHashMap<>(row);
            local.remove(keys.rowidKey());
        }
        for (Map.Entry<String, String> reference : keys.references().entrySet()) {
            Object value = row.get(reference.getKey());
            if (value instanceof String) {
                Long rowid = lookup.rowid(reference.getValue(), (String) value);
                if (rowid == null && !(setNullWhenMissing && keys.setNull().contains(reference.getKey()))) {
                    return null;
                }
                if (local == row) {
                    local = new LinkedHashMap<>(row);
                }
                local.put(reference.getKey(), rowid);
            }
        }
        return local;
    }

    /** A JSON path naming a column: {@code '$."name"'}. */
    private static String path(String column) {
        return "'$.\"" + column.replace("'", "''") + "\"'";
    }

    /** Column names with a double quote or backslash cannot be named in a JSON path; they are left untranslated. */
    private static boolean pathSafe(String column) {
        return column.indexOf('"') < 0 && column.indexOf('\\') < 0;
    }

    /**
     * The references to {@code parentTable} from every table: per child table, its reference columns. A parent's
     * delete must first deal with these rows (see {@link RowWriter}).
     */
    Map<String, List<String>> childrenOf(String parentTable) {
        return children.getOrDefault(parentTable, Map.of());
    }

    @Override
    public String toString() {
        return "KeyTranslation" + tables;
    }
}
