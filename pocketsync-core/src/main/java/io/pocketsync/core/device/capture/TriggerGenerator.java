package io.pocketsync.core.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;

import java.util.ArrayList;
import java.util.List;

/**
 * Generates the capture triggers of one tracked table from its {@link TableSchema}.
 *
 * <p>The triggers use only SQLite built-ins ({@code json_object}, {@code randomblob}, {@code hex},
 * {@code printf}, {@code julianday}, {@code max}), so they work on every connection, including the
 * {@code sqlite3} shell. They record nothing while the {@code applying} flag is set (the engine applies
 * remote changes), nothing for an UPDATE that changes no value ({@code IS NOT} is NULL-safe and compares
 * BLOBs by content) and nothing for setting {@code ps_global_id} (the UPDATE trigger is {@code OF} the
 * app's columns only, so it does not even run then).
 *
 * <p>Per captured row they write as little as possible, because capture runs inside every app write:
 * one INSERT into {@code __pocketsync_changes} and one UPDATE of the table's version row (plus, for a
 * new row without an id, the UPDATE that sets {@code ps_global_id}). The HLC is not written to the
 * device state: it is {@code max(now, last change's hlc + 1, stored clock + 1)}, read from the newest
 * change (the rowid's right edge) and the state row, which only {@code mergeClock} and pruning move.
 * Row ids and change ids are time-ordered (a millisecond or HLC prefix, then random or device bits), so
 * their unique indexes grow at the right edge instead of at random pages. A change id is
 * {@code <device id>-<hlc hex><random>}: globally unique because the HLC strictly increases per device.
 *
 * <p>Row images are JSON objects; a BLOB value becomes {@code {"$b":"<HEX>"}} because JSON cannot hold bytes.
 */
final class TriggerGenerator {
    /** Bumped whenever the generated SQL changes, so that installed triggers are regenerated. */
    static final int VERSION = 2;

    /** json_object takes at most 127 arguments by default; stay well below. */
    private static final int COLUMNS_PER_OBJECT = 50;

    private static final String APPLYING_IS_OFF =
            "(SELECT applying FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1) = 0";
    private static final String NOW_MILLIS = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
    /** The next local HLC (see {@link SqliteTriggerCapture#state}: the device clock is the max of the same two). */
    static final String NEXT_CLOCK = "max(" + NOW_MILLIS + " * 65536, coalesce((SELECT hlc FROM " + SystemTables.CHANGES
            + " ORDER BY seq DESC LIMIT 1), 0) + 1, (SELECT hlc FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1) + 1)";
    /** A new row id: 12 hex digits of milliseconds, then 80 random bits. */
    static final String NEW_GLOBAL_ID = "printf('%012x', " + NOW_MILLIS + ") || lower(hex(randomblob(10)))";

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

    /** The change id of a change with HLC {@code hlcSql} made by {@code deviceId}. */
    static String changeId(String deviceId, String hlcSql) {
        return "printf('%s-%016x%s', " + Sql.literal(deviceId) + ", " + hlcSql + ", lower(hex(randomblob(4))))";
    }

    static List<String> create(TableSchema schema, String deviceId) {
        String table = quoteSql(schema.name());
        String tableLiteral = Sql.literal(schema.name());
        String bumpVersion = "UPDATE " + SystemTables.VERSION + " SET version = version + 1 WHERE tbl = " + tableLiteral + ";";
        String currentVersion = "(SELECT version FROM " + SystemTables.VERSION + " WHERE tbl = " + tableLiteral + ")";
        // INSERT ... SELECT from a one-row subquery: the clock expression is evaluated once and used twice
        String insertChange = "INSERT INTO " + SystemTables.CHANGES
                + " (change_id, tbl, gid, op, row_json, cols_json, hlc, version) SELECT " + changeId(deviceId, "h.hlc") + ", "
                + tableLiteral + ", ";
        String fromClock = ", h.hlc, " + currentVersion + " FROM (SELECT " + NEXT_CLOCK + " AS hlc) AS h; END";

        String insert = "CREATE TRIGGER " + quoteSql(triggerName(schema.name(), "insert")) + " AFTER INSERT ON " + table
                + " FOR EACH ROW WHEN " + APPLYING_IS_OFF + " BEGIN "
                + "UPDATE " + table + " SET " + SystemTables.GLOBAL_ID + " = " + NEW_GLOBAL_ID
                + " WHERE rowid = NEW.rowid AND NEW." + SystemTables.GLOBAL_ID + " IS NULL; "
                + bumpVersion + " "
                + insertChange + "coalesce(NEW." + SystemTables.GLOBAL_ID + ", (SELECT " + SystemTables.GLOBAL_ID + " FROM "
                + table + " WHERE rowid = NEW.rowid)), 'INSERT', " + image(schema, "NEW.") + ", '[]'" + fromClock;

        List<String> changed = new ArrayList<>();
        List<String> columns = new ArrayList<>();
        StringBuilder changedList = new StringBuilder();
        for (TableSchema.Column column : schema.columns()) {
            String c = quoteSql(column.name());
            columns.add(c);
            changed.add("OLD." + c + " IS NOT NEW." + c);
            if (changedList.length() > 0) {
                changedList.append(" || ");
            }
            changedList.append("CASE WHEN OLD.").append(c).append(" IS NOT NEW.").append(c).append(" THEN ")
                    .append(Sql.literal(jsonString(column.name()) + ",")).append(" ELSE '' END");
        }
        String update = "CREATE TRIGGER " + quoteSql(triggerName(schema.name(), "update")) + " AFTER UPDATE OF "
                + String.join(", ", columns) + " ON " + table
                + " FOR EACH ROW WHEN " + APPLYING_IS_OFF + " AND NEW." + SystemTables.GLOBAL_ID + " IS NOT NULL AND ("
                + String.join(" OR ", changed) + ") BEGIN "
                + bumpVersion + " "
                + insertChange + "NEW." + SystemTables.GLOBAL_ID + ", 'UPDATE', " + image(schema, "NEW.") + ", '[' || rtrim("
                + changedList + ", ',') || ']'" + fromClock;

        String delete = "CREATE TRIGGER " + quoteSql(triggerName(schema.name(), "delete")) + " AFTER DELETE ON " + table
                + " FOR EACH ROW WHEN " + APPLYING_IS_OFF + " AND OLD." + SystemTables.GLOBAL_ID + " IS NOT NULL BEGIN "
                + bumpVersion + " "
                + insertChange + "OLD." + SystemTables.GLOBAL_ID + ", 'DELETE', '{}', '[]'" + fromClock;
        return List.of(insert, update, delete);
    }

    /**
     * SQL that queues every existing row once as an INSERT change (first install). HLCs count up
     * from the parameter {@code ?1}; the caller moves the device clock past them afterwards.
     */
    static String queueExisting(TableSchema schema, String deviceId) {
        return "INSERT INTO " + SystemTables.CHANGES + " (change_id, tbl, gid, op, row_json, cols_json, hlc, version)"
                + " SELECT " + changeId(deviceId, "q.hlc") + ", " + Sql.literal(schema.name()) + ", q.gid, 'INSERT', q.image, '[]',"
                + " q.hlc, 0 FROM (SELECT " + SystemTables.GLOBAL_ID + " AS gid, " + image(schema, "") + " AS image,"
                + " ?1 + row_number() OVER (ORDER BY rowid) AS hlc FROM " + quoteSql(schema.name()) + ") AS q ORDER BY q.hlc";
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
