package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;

import java.util.ArrayList;
import java.util.List;

/**
 * Generates the capture triggers of one tracked table from its {@link TableSchema}.
 *
 * <p>The triggers use only SQLite built-ins ({@code julianday}), so they work on every connection,
 * including the {@code sqlite3} shell. They run inside every app write, so each writes as little as it can:
 * one narrow row into the journal {@code __pocketsync_journal} (table, operation, rowid, the row's
 * {@code ps_global_id} as it was, a changed-column bit mask for UPDATE, the wall clock). Everything costly
 * - the new row's {@code ps_global_id}, the JSON row image, the HLC, the change id - is done later and off
 * the app's write path by {@link JournalSealer}, which turns journal rows into changes. Measured with
 * callgrind on the benchmark's table, this journal row costs about a third of the former per-row work.
 *
 * <p>They record nothing while the echo-suppression flag ({@code __pocketsync_applying} holds a row) is set
 * (the engine applies remote changes) and
 * nothing for setting {@code ps_global_id} (the UPDATE trigger is {@code OF} the app's columns only, so the
 * sealer's id assignment does not run it). An INSERT without an id skips the flag lookup: the engine always
 * writes remote rows with their id, so only app rows arrive without one. An UPDATE that changes no value
 * records an empty mask ({@code IS NOT} is NULL-safe and compares BLOBs by content), which the sealer
 * drops; computing the mask once is cheaper than a WHEN clause that compares every column and the mask
 * that compares them again.
 *
 * <p>Mask bit {@code i} is column {@code i} of the layout the triggers were generated from (stored with the
 * table, see {@link SystemTables#VERSION}); columns from {@link #MASK_SHARED_BIT} on share that last bit.
 */
final class TriggerGenerator {
    /** Bumped whenever the generated SQL changes, so that installed triggers are regenerated. */
    static final int VERSION = 4;

    /** Journal operation codes. */
    static final int OP_INSERT = 1;
    static final int OP_UPDATE = 2;
    static final int OP_DELETE = 3;

    /** Columns from this index on share one mask bit (an SQLite integer has 63 usable bits). */
    static final int MASK_SHARED_BIT = 62;

    /** json_object takes at most 127 arguments by default; stay well below. */
    private static final int COLUMNS_PER_OBJECT = 50;

    private static final String APPLYING_IS_OFF = "NOT EXISTS (SELECT 1 FROM " + SystemTables.APPLYING + ")";

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
        String journal = "INSERT INTO " + SystemTables.JOURNAL + " (tbl, op, rid, gid, mask, wall) VALUES ("
                + Sql.literal(schema.name()) + ", ";
        String gid = SystemTables.GLOBAL_ID;

        String insert = "CREATE TRIGGER " + quoteSql(triggerName(schema.name(), "insert")) + " AFTER INSERT ON " + table
                + " FOR EACH ROW WHEN NEW." + gid + " IS NULL OR " + APPLYING_IS_OFF + " BEGIN "
                + journal + OP_INSERT + ", NEW.rowid, NEW." + gid + ", 0, julianday('now')); END";

        List<String> columns = new ArrayList<>();
        for (TableSchema.Column column : schema.columns()) {
            columns.add(quoteSql(column.name()));
        }
        String update = "CREATE TRIGGER " + quoteSql(triggerName(schema.name(), "update")) + " AFTER UPDATE OF "
                + String.join(", ", columns) + " ON " + table + " FOR EACH ROW WHEN " + APPLYING_IS_OFF + " BEGIN "
                + journal + OP_UPDATE + ", NEW.rowid, NEW." + gid + ", " + changedMask(columns) + ", julianday('now')); END";

        String delete = "CREATE TRIGGER " + quoteSql(triggerName(schema.name(), "delete")) + " AFTER DELETE ON " + table
                + " FOR EACH ROW WHEN " + APPLYING_IS_OFF + " BEGIN "
                + journal + OP_DELETE + ", OLD.rowid, OLD." + gid + ", 0, julianday('now')); END";
        return List.of(insert, update, delete);
    }

    /**
     * SQL that journals every row without an id and without a journal row as an INSERT: on first install all existing
     * rows, later any row written while the triggers were missing (or journaled at an install the device did not finish
     * sealing, which is left as it is). The sealer gives them their ids and queues them once.
     */
    static String journalRowsWithoutId(TableSchema schema) {
        String name = Sql.literal(schema.name());
        return "INSERT INTO " + SystemTables.JOURNAL + " (tbl, op, rid, gid, mask, wall) SELECT " + name + ", " + OP_INSERT
                + ", rowid, NULL, 0, julianday('now') FROM " + quoteSql(schema.name()) + " WHERE " + SystemTables.GLOBAL_ID
                + " IS NULL AND rowid NOT IN (SELECT rid FROM " + SystemTables.JOURNAL + " WHERE tbl = " + name
                + " AND gid IS NULL AND op != " + OP_DELETE + ") ORDER BY rowid";
    }

    /** The bit of column {@code index} in a changed-column mask. */
    static long maskBit(int index) {
        return 1L << Math.min(index, MASK_SHARED_BIT);
    }

    /**
     * {@code (OLD.a IS NOT NEW.a) | ((OLD.b IS NOT NEW.b) << 1) | ...}, in groups of {@value #COLUMNS_PER_OBJECT}
     * so that wide tables stay below SQLite's expression depth limit.
     */
    private static String changedMask(List<String> columns) {
        List<String> groups = new ArrayList<>();
        for (int start = 0; start < columns.size(); start += COLUMNS_PER_OBJECT) {
            List<String> terms = new ArrayList<>();
            for (int i = start; i < Math.min(columns.size(), start + COLUMNS_PER_OBJECT); i++) {
                String c = columns.get(i);
                String changed = "(OLD." + c + " IS NOT NEW." + c + ")";
                int bit = Math.min(i, MASK_SHARED_BIT);
                terms.add(bit == 0 ? changed : "(" + changed + " << " + bit + ")");
            }
            groups.add("(" + String.join(" | ", terms) + ")");
        }
        return groups.isEmpty() ? "0" : String.join(" | ", groups);
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
}
