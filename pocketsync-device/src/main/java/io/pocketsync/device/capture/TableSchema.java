package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.PocketSyncException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The local schema of one tracked table as SQLite reports it ({@code PRAGMA table_info}).
 *
 * @param name the table name
 * @param columns the app's columns in declaration order, without {@code ps_global_id}
 * @param primaryKey the primary key columns
 * @param hasGlobalId whether {@code ps_global_id} exists already
 * @param parents tables this one references by foreign key
 * @param foreignKeys the single-column foreign keys ({@code PRAGMA foreign_key_list}); composite ones are not listed
 * @param identityKey the natural key, whose values name the row across devices: the primary key, unless it is a rowid
 *        key (local to each device), then the first plain UNIQUE index, else none (empty). Rows with the same natural
 *        key on two devices are one row: its {@code ps_global_id} is derived from the key (see {@link JournalSealer})
 * @param uniqueKeys the column sets of the table's other UNIQUE constraints (plain, not partial, without the rowid key),
 *        sorted by index name: sent with each change so the server keeps one row per value ({@code uniq} on the wire)
 */
record TableSchema(String name, List<Column> columns, List<String> primaryKey, boolean hasGlobalId, Set<String> parents,
        List<ForeignKey> foreignKeys, List<String> identityKey, List<List<String>> uniqueKeys) {
    /**
     * One column.
     *
     * @param defaultValue the value its declared DEFAULT gives (evaluated when the schema is read), or null
     */
    record Column(String name, String type, boolean notNull, int primaryKeyIndex, @Nullable Object defaultValue) {
        Column(String name, String type, boolean notNull, int primaryKeyIndex) {
            this(name, type, notNull, primaryKeyIndex, null);
        }
    }

    /**
     * A single-column foreign key.
     *
     * @param column the referencing column of this table
     * @param parentTable the referenced table
     * @param parentColumn the referenced column, or null when the key names only the table (its primary key)
     * @param onDelete the declared ON DELETE action ({@code NO ACTION}, {@code CASCADE}, {@code SET NULL}, ...)
     */
    record ForeignKey(String column, String parentTable, String parentColumn, String onDelete) {}

    TableSchema {
        requireNonNull(name, "name is null");
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        parents = Set.copyOf(parents);
        foreignKeys = List.copyOf(foreignKeys);
        identityKey = List.copyOf(identityKey);
        uniqueKeys = List.copyOf(uniqueKeys);
    }

    TableSchema(String name, List<Column> columns, List<String> primaryKey, boolean hasGlobalId, Set<String> parents) {
        this(name, columns, primaryKey, hasGlobalId, parents, List.of(), List.of(), List.of());
    }

    /**
     * The column that aliases the rowid ({@code INTEGER PRIMARY KEY}, with or without AUTOINCREMENT), or null. Its
     * values are assigned by each device on its own, so PocketSync treats it as a local surrogate key.
     */
    String rowidKey() {
        return hasIntegerRowidKey() ? primaryKey.get(0) : null;
    }

    boolean hasColumn(String column) {
        for (Column c : columns) {
            if (c.name().equals(column)) {
                return true;
            }
        }
        return false;
    }

    List<String> columnNames() {
        List<String> names = new ArrayList<>(columns.size());
        for (Column c : columns) {
            names.add(c.name());
        }
        return names;
    }

    /** A single INTEGER primary key is SQLite's rowid alias, which devices assign independently. */
    boolean hasIntegerRowidKey() {
        return primaryKey.size() == 1 && columns.stream()
                .anyMatch(c -> c.primaryKeyIndex() > 0 && c.type().toUpperCase(Locale.ROOT).equals("INTEGER"));
    }

    /**
     * The value of a column's DEFAULT clause ({@code dflt_value}, SQL text from the app's own schema), or null. An
     * {@code ADD COLUMN} default is a constant; an expression that cannot be evaluated alone counts as none.
     */
    private static @Nullable Object defaultValue(Connection connection, @Nullable String sql) {
        if (sql == null) {
            return null;
        }
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SELECT " + sql)) {
            Object value = rs.next() ? rs.getObject(1) : null;
            return value instanceof Integer i ? Long.valueOf(i) : value;
        }
        catch (SQLException e) {
            return null;
        }
    }

    /**
     * Reads a table's schema.
     *
     * @throws PocketSyncException SCHEMA_INVALID when the table does not exist or cannot be tracked
     */
    static TableSchema read(Connection connection, String table) throws SQLException {
        Identifiers.requireSqlName(table, "table");
        if (table.toLowerCase(Locale.ROOT).startsWith(SystemTables.PREFIX)) {
            throw new PocketSyncException(ErrorCode.SCHEMA_INVALID, "cannot track PocketSync's own table " + table);
        }
        List<Column> columns = new ArrayList<>();
        List<String> primaryKey = new ArrayList<>();
        boolean hasGlobalId = false;
        try (PreparedStatement statement = connection.prepareStatement("SELECT name, type, \"notnull\", pk, dflt_value FROM pragma_table_info(?)")) {
            statement.setString(1, table);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    String column = rs.getString(1);
                    if (column.equals(SystemTables.GLOBAL_ID)) {
                        hasGlobalId = true;
                        continue;
                    }
                    Column c = new Column(column, rs.getString(2) == null ? "" : rs.getString(2), rs.getInt(3) != 0, rs.getInt(4),
                            defaultValue(connection, rs.getString(5)));
                    columns.add(c);
                }
            }
        }
        if (columns.isEmpty()) {
            throw new PocketSyncException(ErrorCode.SCHEMA_INVALID, "no such table: " + table);
        }
        columns.stream().filter(c -> c.primaryKeyIndex() > 0)
                .sorted((a, b) -> Integer.compare(a.primaryKeyIndex(), b.primaryKeyIndex()))
                .forEach(c -> primaryKey.add(c.name()));
        Set<String> parents = new java.util.TreeSet<>();
        List<ForeignKey> foreignKeys = new ArrayList<>();
        // one row per column of each key; a key with one row is a single-column key
        try (PreparedStatement statement = connection.prepareStatement("SELECT \"table\", \"from\", \"to\", on_delete,"
                + " count(*) OVER (PARTITION BY id) FROM pragma_foreign_key_list(?) ORDER BY id, seq")) {
            statement.setString(1, table);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    if (!rs.getString(1).equals(table)) {
                        parents.add(rs.getString(1));
                    }
                    if (rs.getInt(5) == 1) {
                        foreignKeys.add(new ForeignKey(rs.getString(2), rs.getString(1), rs.getString(3), rs.getString(4)));
                    }
                }
            }
        }
        try {
            Sql.queryLong(connection, "SELECT rowid FROM " + Identifiers.quoteSql(table) + " LIMIT 0");
        }
        catch (SQLException e) {
            throw new PocketSyncException(ErrorCode.SCHEMA_INVALID, "table " + table + " is a WITHOUT ROWID table, which PocketSync"
                    + " cannot track (its capture finds rows by rowid); recreate it as an ordinary table to sync it");
        }
        List<String> identity = primaryKey;
        boolean rowidKey = primaryKey.size() == 1 && columns.stream().anyMatch(c -> c.primaryKeyIndex() > 0
                && c.type().toUpperCase(Locale.ROOT).equals("INTEGER"));
        List<List<String>> unique = uniqueIndexes(connection, table);
        if (rowidKey) {
            identity = unique.isEmpty() ? List.of() : unique.get(0); // a rowid key is local: a UNIQUE constraint may name the row
        }
        List<List<String>> others = new ArrayList<>();
        for (List<String> key : unique) {
            if (!key.equals(identity) && !(rowidKey && key.contains(primaryKey.get(0))) && !others.contains(key)) {
                others.add(key);
            }
        }
        return new TableSchema(table, columns, primaryKey, hasGlobalId, parents, foreignKeys, identity, others);
    }

    /**
     * The columns of each of the table's UNIQUE indexes (by name, so every device with the schema lists them in the same
     * order) that is not partial and names only columns. PocketSync's own index is skipped.
     */
    private static List<List<String>> uniqueIndexes(Connection connection, String table) throws SQLException {
        List<List<String>> keys = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT name FROM pragma_index_list(?)"
                + " WHERE \"unique\" = 1 AND partial = 0 AND origin IN ('u', 'c') ORDER BY name")) {
            statement.setString(1, table);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        for (String index : names) {
            List<String> columns = new ArrayList<>();
            boolean plain = true;
            try (PreparedStatement statement = connection.prepareStatement("SELECT name FROM pragma_index_info(?) ORDER BY seqno")) {
                statement.setString(1, index);
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        String column = rs.getString(1);
                        plain &= column != null && !column.equals(SystemTables.GLOBAL_ID);
                        columns.add(column);
                    }
                }
            }
            if (plain && !columns.isEmpty()) {
                keys.add(columns);
            }
        }
        return keys;
    }
}
