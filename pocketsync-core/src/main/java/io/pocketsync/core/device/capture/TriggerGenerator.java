package io.pocketsync.core.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;

import java.util.ArrayList;
import java.util.List;

/**
 * Generates the capture triggers of one tracked table from its {@link TableSchema}.
 *
 * <p>The triggers use only SQLite built-ins ({@code json_object}, {@code randomblob}, {@code hex},
 * {@code julianday}, {@code max}), so they work on every connection, including the {@code sqlite3}
 * shell. Per captured row they do one UPDATE of the device clock, one UPDATE of the table version and
 * one INSERT into {@code __pocketsync_changes}. They record nothing while the {@code applying} flag is
 * set (the engine applies remote changes), nothing for an UPDATE that changes no value
 * ({@code IS NOT} is NULL-safe and compares BLOBs by content) and nothing for setting {@code ps_global_id}.
 *
 * <p>Row images are JSON objects; a BLOB value becomes {@code {"$b":"<HEX>"}} because JSON cannot hold bytes.
 */
final class TriggerGenerator {
    /** Bumped whenever the generated SQL changes, so that installed triggers are regenerated. */
    static final int VERSION = 1;

    /** json_object takes at most 127 arguments by default; stay well below. */
    private static final int COLUMNS_PER_OBJECT = 50;

    private static final String APPLYING_IS_OFF =
            "(SELECT applying FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1) = 0";
    private static final String TICK_CLOCK = "UPDATE " + SystemTables.DEVICE_STATE
            + " SET hlc = max(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536, hlc + 1) WHERE id = 1;";
    private static final String CURRENT_CLOCK = "(SELECT hlc FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1)";

    private TriggerGenerator() {}

    static List<String> triggerNames(String table) {
        return List.of(triggerName(table, "insert"), triggerName(table, "update"), triggerName(table, "delete"));
    }

    static List<String> drop(String table) {
        List<String> sql = new ArrayList<>();
        for (String name : triggerNames(table)) {
            sql.add("DROP TRIGGER IF EXISTS " + quoteSql(name));
        }
        return sql;
    }

    static List<String> create(TableSchema schema) {
        String table = quoteSql(schema.name());
        String tableLiteral = Sql.literal(schema.name());
        String bumpVersion = "UPDATE " + SystemTables.VERSION + " SET version = version + 1 WHERE tbl = " + tableLiteral + ";";
        String currentVersion = "(SELECT version FROM " + SystemTables.VERSION + " WHERE tbl = " + tableLiteral + ")";
        String insertChange = "INSERT INTO " + SystemTables.CHANGES
                + " (change_id, tbl, gid, op, row_json, cols_json, hlc, version) VALUES (lower(hex(randomblob(16))), "
                + tableLiteral + ", ";

        String insert = "CREATE TRIGGER " + quoteSql(triggerName(schema.name(), "insert")) + " AFTER INSERT ON " + table
                + " FOR EACH ROW WHEN " + APPLYING_IS_OFF + " BEGIN "
                + "UPDATE " + table + " SET " + SystemTables.GLOBAL_ID + " = lower(hex(randomblob(16)))"
                + " WHERE rowid = NEW.rowid AND NEW." + SystemTables.GLOBAL_ID + " IS NULL; "
                + TICK_CLOCK + " " + bumpVersion + " "
                + insertChange + "coalesce(NEW." + SystemTables.GLOBAL_ID + ", (SELECT " + SystemTables.GLOBAL_ID + " FROM "
                + table + " WHERE rowid = NEW.rowid)), 'INSERT', " + image(schema, "NEW.") + ", '[]', " + CURRENT_CLOCK
                + ", " + currentVersion + "); END";

        List<String> changed = new ArrayList<>();
        StringBuilder changedList = new StringBuilder();
        for (TableSchema.Column column : schema.columns()) {
            String c = quoteSql(column.name());
            changed.add("OLD." + c + " IS NOT NEW." + c);
            if (changedList.length() > 0) {
                changedList.append(" || ");
            }
            changedList.append("CASE WHEN OLD.").append(c).append(" IS NOT NEW.").append(c).append(" THEN ")
                    .append(Sql.literal(jsonString(column.name()) + ",")).append(" ELSE '' END");
        }
        String update = "CREATE TRIGGER " + quoteSql(triggerName(schema.name(), "update")) + " AFTER UPDATE ON " + table
                + " FOR EACH ROW WHEN " + APPLYING_IS_OFF + " AND NEW." + SystemTables.GLOBAL_ID + " IS NOT NULL AND ("
                + String.join(" OR ", changed) + ") BEGIN "
                + TICK_CLOCK + " " + bumpVersion + " "
                + insertChange + "NEW." + SystemTables.GLOBAL_ID + ", 'UPDATE', " + image(schema, "NEW.") + ", '[' || rtrim("
                + changedList + ", ',') || ']', " + CURRENT_CLOCK + ", " + currentVersion + "); END";

        String delete = "CREATE TRIGGER " + quoteSql(triggerName(schema.name(), "delete")) + " AFTER DELETE ON " + table
                + " FOR EACH ROW WHEN " + APPLYING_IS_OFF + " AND OLD." + SystemTables.GLOBAL_ID + " IS NOT NULL BEGIN "
                + TICK_CLOCK + " " + bumpVersion + " "
                + insertChange + "OLD." + SystemTables.GLOBAL_ID + ", 'DELETE', '{}', '[]', " + CURRENT_CLOCK + ", "
                + currentVersion + "); END";
        return List.of(insert, update, delete);
    }

    /**
     * SQL that queues every existing row once as an INSERT change (first install). HLCs count up
     * from the parameter {@code ?1}; the caller moves the device clock past them afterwards.
     */
    static String queueExisting(TableSchema schema) {
        return "INSERT INTO " + SystemTables.CHANGES + " (change_id, tbl, gid, op, row_json, cols_json, hlc, version)"
                + " SELECT lower(hex(randomblob(16))), " + Sql.literal(schema.name()) + ", " + SystemTables.GLOBAL_ID
                + ", 'INSERT', " + image(schema, "") + ", '[]', ?1 + row_number() OVER (ORDER BY rowid), 0 FROM "
                + quoteSql(schema.name()) + " ORDER BY rowid";
    }

    /** The JSON row image of the row named by {@code prefix} ({@code NEW.}, or empty for a plain SELECT). */
    static String image(TableSchema schema, String prefix) {
        List<String> objects = new ArrayList<>();
        List<TableSchema.Column> columns = schema.columns();
        for (int start = 0; start < columns.size(); start += COLUMNS_PER_OBJECT) {
            StringBuilder object = new StringBuilder("json_object(");
            for (int i = start; i < Math.min(columns.size(), start + COLUMNS_PER_OBJECT); i++) {
                String value = prefix + quoteSql(columns.get(i).name());
                if (i > start) {
                    object.append(", ");
                }
                object.append(Sql.literal(columns.get(i).name())).append(", CASE WHEN typeof(").append(value)
                        .append(") = 'blob' THEN json_object('$b', hex(").append(value).append(")) ELSE ")
                        .append(value).append(" END");
            }
            objects.add(object.append(')').toString());
        }
        if (objects.size() == 1) {
            return objects.get(0);
        }
        // Wide tables: splice the objects' members together ("{a..}" + "{b..}" -> "{a..,b..}").
        StringBuilder joined = new StringBuilder("'{'");
        for (int i = 0; i < objects.size(); i++) {
            String o = objects.get(i);
            joined.append(" || ").append(i > 0 ? "',' || " : "").append("substr(").append(o).append(", 2, length(")
                    .append(o).append(") - 2)");
        }
        return joined.append(" || '}'").toString();
    }

    private static String triggerName(String table, String op) {
        return SystemTables.PREFIX + "_" + op + "_" + table;
    }

    private static String jsonString(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            }
            else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
