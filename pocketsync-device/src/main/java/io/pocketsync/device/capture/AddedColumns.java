package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the writes into columns an app upgrade added, which the old triggers could not see.
 *
 * <p>The UPDATE trigger fires for the columns it was generated with ({@code AFTER UPDATE OF a, b}), so after
 * {@code ALTER TABLE ... ADD COLUMN c} an {@code UPDATE ... SET c = ...} made before the triggers are regenerated
 * (the engine stopped, or not yet aware of the change) is journaled by nothing. When the triggers are regenerated,
 * every row that holds a value in an added column other than its declared default is therefore journaled as an
 * UPDATE of the added columns, so it is sealed and pushed like any other write. A row whose value equals the
 * default needs nothing: every device that adds the column gets the same default.
 *
 * <p>The previous column layout is the one stored with the triggers ({@code __pocketsync_version.columns}), so this
 * works across restarts: it compares with what the old triggers watched, not with what this process saw.
 */
final class AddedColumns {
    private static final Logger LOG = LoggerFactory.getLogger(AddedColumns.class);

    private AddedColumns() {}

    /**
     * Journals an UPDATE of the added columns for each row of {@code schema} whose added columns hold a value
     * other than their default. Call in the regenerating transaction, after the new triggers and layout are stored.
     *
     * @param previous the column layout the old triggers watched, or null when there were none
     * @return the number of rows journaled
     */
    static int journalWrites(Connection c, TableSchema schema, List<String> previous) throws SQLException {
        if (previous == null) {
            return 0;
        }
        List<String> layout = schema.columnNames();
        Map<String, String> renamed = RenamedColumns.of(previous, layout);
        List<String> gone = new ArrayList<>(previous);
        gone.removeAll(layout);
        if (!gone.isEmpty()) {
            // a RENAME COLUMN (SQLite rewrites the triggers) or a DROP COLUMN (pocketsync device --drop-column): handled as
            // a dropped column plus, for a rename, an added one below (README, "Upgrading your app's schema")
            LOG.warn("table {} no longer has columns {} (renamed or dropped): this device stops sending them, and keeps what other"
                    + " devices still send for them in {}; a renamed column syncs under its new name (RenamedColumns)",
                    schema.name(), gone, SystemTables.MISSING_COLUMNS);
        }
        Map<String, String> defaults = defaults(c, schema.name());
        long mask = 0;
        List<String> conditions = new ArrayList<>();
        List<String> added = new ArrayList<>();
        for (int i = 0; i < layout.size(); i++) {
            String column = layout.get(i);
            if (!previous.contains(column)) {
                added.add(column);
                mask |= TriggerGenerator.maskBit(i);
                String dflt = defaults.get(column);
                String condition = quoteSql(column) + " IS NOT " + (dflt == null ? "NULL" : "(" + dflt + ")");
                // a renamed column's rows that got a value under the new name from another device take it instead
                conditions.add(renamed.containsKey(column)
                        ? "(" + condition + " AND " + RenamedColumns.withoutKeptValue(schema.name(), column) + ")" : condition);
            }
        }
        if (added.isEmpty()) {
            return 0;
        }
        int journaled = Sql.update(c, "INSERT INTO " + SystemTables.JOURNAL + " (tbl, op, rid, gid, mask, wall) SELECT ?, "
                + TriggerGenerator.OP_UPDATE + ", rowid, " + SystemTables.GLOBAL_ID + ", ?, julianday('now') FROM "
                + quoteSql(schema.name()) + " WHERE " + SystemTables.GLOBAL_ID + " IS NOT NULL AND (" + String.join(" OR ", conditions)
                + ") ORDER BY rowid", schema.name(), mask);
        LOG.info("table {} gained columns {}; {} rows already hold values in them and are queued as updates", schema.name(),
                added, journaled);
        return journaled;
    }

    /** Each column's declared default, as SQL (null when it has none). */
    private static Map<String, String> defaults(Connection c, String table) throws SQLException {
        Map<String, String> defaults = new HashMap<>();
        try (PreparedStatement read = c.prepareStatement("SELECT name, dflt_value FROM pragma_table_info(?)")) {
            read.setString(1, table);
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    defaults.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return defaults;
    }
}
