package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ALTER TABLE ... RENAME COLUMN} seen at trigger regeneration. SQLite rewrites the triggers itself, and a renamed
 * column keeps its place, so a rename shows as a layout of the same length where one name took the place of another
 * that is gone. It syncs as a dropped column plus an added one, with one difference: the renamed column's values are
 * not new writes of this device, they are what it held under the old name. So values other devices already sent under
 * the new name (kept in {@code __pocketsync_missing_columns}: the server's state of that column, at least as new) are
 * written into it over the local ones, and only the rows without such a value are queued as updates of it
 * ({@link AddedColumns}): the first device to rename sends every row's value, the later ones take them and send none
 * back, so an edit made under the new name on one device is not overwritten by another's rename.
 */
final class RenamedColumns {
    private static final Logger LOG = LoggerFactory.getLogger(RenamedColumns.class);

    private RenamedColumns() {}

    /** New name → old name for each column renamed between {@code previous} and {@code current}; empty for none. */
    static Map<String, String> of(List<String> previous, List<String> current) {
        Map<String, String> renamed = new LinkedHashMap<>();
        if (previous == null || previous.size() != current.size()) {
            return renamed;
        }
        for (int i = 0; i < current.size(); i++) {
            String now = current.get(i);
            String before = previous.get(i);
            if (!now.equals(before) && !previous.contains(now) && !current.contains(before)) {
                renamed.put(now, before);
            }
        }
        return renamed;
    }

    /** The condition that keeps rows with a value kept for {@code column} out of the sweep of added columns. */
    static String withoutKeptValue(String table, String column) {
        return SystemTables.GLOBAL_ID + " NOT IN (SELECT gid FROM " + SystemTables.MISSING_COLUMNS + " WHERE tbl = "
                + Sql.literal(table) + " AND col = " + Sql.literal(column) + ")";
    }

    /**
     * Writes the values kept for the renamed columns into them, whatever the rows hold, and forgets them; not captured.
     * Call in the regenerating transaction, after {@link AddedColumns} and before {@link MissingColumns#fill}.
     */
    static void takeKeptValues(Connection c, TableSchema schema, Map<String, String> renamed) throws SQLException {
        if (renamed.isEmpty()) {
            return;
        }
        String table = quoteSql(schema.name());
        Sql.update(c, "INSERT OR IGNORE INTO " + SystemTables.APPLYING + " (id) VALUES (1)");
        try {
            for (Map.Entry<String, String> column : renamed.entrySet()) {
                int written = Sql.update(c, "UPDATE " + table + " SET " + quoteSql(column.getKey()) + " = (SELECT m.value FROM "
                        + SystemTables.MISSING_COLUMNS + " m WHERE m.tbl = ?1 AND m.col = ?2 AND m.gid = " + table + "."
                        + SystemTables.GLOBAL_ID + ") WHERE " + SystemTables.GLOBAL_ID + " IN (SELECT gid FROM "
                        + SystemTables.MISSING_COLUMNS + " WHERE tbl = ?1 AND col = ?2)", schema.name(), column.getKey());
                Sql.update(c, "DELETE FROM " + SystemTables.MISSING_COLUMNS + " WHERE tbl = ? AND col = ?", schema.name(),
                        column.getKey());
                LOG.warn("table {}: column {} was renamed to {}; {} rows took the values other devices sent under the new name",
                        schema.name(), column.getValue(), column.getKey(), written);
            }
        }
        finally {
            Sql.update(c, "DELETE FROM " + SystemTables.APPLYING);
        }
    }
}
