package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What tracking a table changes in the app's schema, and what a schema change of a tracked table needs done: the
 * version row, the {@code ps_global_id} column and index, the order in which existing rows are journaled at install,
 * and the completion of pending images after {@code ALTER TABLE ... ADD COLUMN}. Stateless; runs in the caller's
 * transaction.
 */
final class TableInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(TableInstaller.class);

    private TableInstaller() {}

    /**
     * Writes captured between an ALTER TABLE ADD COLUMN and this regeneration went through the old
     * triggers, without the new columns: add those columns' current values to such pending changes.
     */
    static void completePendingImages(Connection c, @Nullable TableSchema before, TableSchema after) throws SQLException {
        if (before == null) {
            return;
        }
        List<TableSchema.Column> added = new ArrayList<>();
        for (TableSchema.Column column : after.columns()) {
            if (!before.hasColumn(column.name())) {
                added.add(column);
            }
        }
        if (added.isEmpty()) {
            return;
        }
        String table = quoteSql(after.name());
        String gid = table + "." + SystemTables.GLOBAL_ID;
        TableSchema addedOnly = new TableSchema(after.name(), added, List.of(), true, java.util.Set.of());
        int patched = Sql.update(c, "UPDATE " + SystemTables.CHANGES + " SET row_json = json_patch(row_json, (SELECT "
                + TriggerGenerator.image(addedOnly, table + ".") + " FROM " + table + " WHERE " + gid + " = "
                + SystemTables.CHANGES + ".gid)) WHERE tbl = ? AND state = 'pending' AND op != 'DELETE' AND EXISTS (SELECT 1 FROM "
                + table + " WHERE " + gid + " = " + SystemTables.CHANGES + ".gid)", after.name());
        LOG.info("table {} gained columns {}; {} pending changes completed", after.name(), addedOnly.columnNames(), patched);
    }

    /**
     * Prepares one table for tracking: its version row and the {@code ps_global_id} column and its partial unique index.
     * Idempotent. Its existing rows are journaled by {@link #journalExisting}, once the triggers are in place.
     */
    static void install(Connection c, TableSchema schema) throws SQLException {
        String table = quoteSql(schema.name());
        if (schema.rowidKey() != null) {
            LOG.info("table {}: {} is an INTEGER PRIMARY KEY, kept local to each device; rows are named by {} across devices",
                    schema.name(), schema.rowidKey(), SystemTables.GLOBAL_ID);
        }
        Sql.update(c, "INSERT OR IGNORE INTO " + SystemTables.VERSION + " (tbl, version) VALUES (?, 0)", schema.name());
        if (!schema.hasGlobalId()) {
            Sql.execute(c, "ALTER TABLE " + table + " ADD COLUMN " + SystemTables.GLOBAL_ID + " TEXT");
        }
        // Partial: new app rows have no id until they are sealed, and leaving them out of the index spares every
        // insert an index write. Lookups by id (= ?) and the upsert's conflict target imply the index's WHERE.
        String index = SystemTables.PREFIX + "_gid_" + schema.name();
        String indexSql = stateIndexSql(c, index);
        if (indexSql != null && !indexSql.contains("WHERE")) {
            Sql.execute(c, "DROP INDEX " + quoteSql(index)); // a full index from an earlier version
        }
        Sql.execute(c, "CREATE UNIQUE INDEX IF NOT EXISTS " + quoteSql(index) + " ON " + table + " (" + SystemTables.GLOBAL_ID
                + ") WHERE " + SystemTables.GLOBAL_ID + " IS NOT NULL");
    }

    /**
     * Journals an INSERT for every row of a tracked table that has no id and no journal row yet: on first install all
     * existing rows, later any row written while the triggers were missing. Runs after the triggers exist, so a row
     * another connection inserts meanwhile is journaled by its trigger or here, once. The push seals them in rounds
     * ({@link InstallSealing}), so the first PUSH leaves after the first round, not after the whole table.
     *
     * @return the number of rows journaled
     */
    static int journalExisting(Connection c, TableSchema schema) throws SQLException {
        int journaled = Sql.update(c, TriggerGenerator.journalRowsWithoutId(schema));
        if (journaled > 0) {
            LOG.info("tracking table {}: {} rows without an id queued once as INSERT changes", schema.name(), journaled);
        }
        return journaled;
    }

    /** The tables ordered so that each comes after the tracked tables it references (cycles keep their given order). */
    static List<TableSchema> parentsFirst(List<TableSchema> tables) {
        Map<String, TableSchema> byName = new LinkedHashMap<>();
        tables.forEach(t -> byName.put(t.name(), t));
        List<TableSchema> ordered = new ArrayList<>();
        java.util.Set<String> visiting = new java.util.HashSet<>();
        java.util.Set<String> done = new java.util.HashSet<>();
        for (TableSchema table : tables) {
            visit(table, byName, visiting, done, ordered);
        }
        return ordered;
    }

    private static void visit(TableSchema table, Map<String, TableSchema> byName, java.util.Set<String> visiting,
            java.util.Set<String> done, List<TableSchema> ordered) {
        if (done.contains(table.name()) || !visiting.add(table.name())) {
            return;
        }
        for (String parent : table.parents()) {
            TableSchema p = byName.get(parent);
            if (p != null) {
                visit(p, byName, visiting, done, ordered);
            }
        }
        visiting.remove(table.name());
        done.add(table.name());
        ordered.add(table);
    }

    private static @Nullable String stateIndexSql(Connection c, String index) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?")) {
            statement.setString(1, index);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * Replaces the capture triggers of {@code current} after a schema change (dropped and recreated inside the
     * caller's write transaction: no other writer can commit in between), stores their column layouts and the
     * schema fingerprint, and brings what the old triggers could not see up to date: pending images gain added
     * columns, rows holding values in them are journaled ({@link AddedColumns}), and values kept for columns this
     * device lacked are written ({@link MissingColumns}), and only then are pending images completed with the rows' values
     * of the added columns. The journal must be sealed with the old layouts first.
     *
     * @param before the schemas this process knew, by table (a value is null before the first read)
     * @param previous the layouts the old triggers watched, by table
     */
    static void regenerate(Connection c, List<TableSchema> current, Map<String, @Nullable TableSchema> before,
            Map<String, List<String>> previous, String fingerprint) throws SQLException {
        for (TableSchema schema : current) {
            for (String sql : TriggerGenerator.drop(schema.name())) {
                Sql.execute(c, sql);
            }
            for (String sql : TriggerGenerator.create(schema)) {
                Sql.execute(c, sql);
            }
            Sql.update(c, "UPDATE " + SystemTables.VERSION + " SET columns = ? WHERE tbl = ?",
                    RowImages.columnsJson(schema.columnNames()), schema.name());
        }
        Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET schema_fingerprint = ? WHERE id = 1", fingerprint);
        for (TableSchema schema : current) {
            AddedColumns.journalWrites(c, schema, previous.get(schema.name()));
            if (previous.get(schema.name()) != null) {
                RenamedColumns.takeKeptValues(c, schema, RenamedColumns.of(previous.get(schema.name()), schema.columnNames()));
            }
            MissingColumns.fill(c, schema);
            // After the kept values are written: a pending image is completed with what the row now holds. Before, the
            // added column was still NULL there, and json_patch drops a key patched with NULL, so an image sealed with a
            // kept value (MissingColumns.withKept) lost it while the row gained it: the server then kept its own value
            // (a missing column is unchanged) and the device the kept one, a drift only the checksums found.
            completePendingImages(c, before.get(schema.name()), schema);
        }
    }
}
