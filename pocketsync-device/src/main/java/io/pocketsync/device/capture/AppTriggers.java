package io.pocketsync.device.capture;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The app's own triggers on tracked tables, set aside while remote changes are applied.
 *
 * <p>The trigger rule: <em>an app trigger that writes into a tracked table runs where the app writes, and its
 * writes sync like any other write; it does not run again when those rows are applied on other devices.</em> On
 * the device where the app writes, the trigger's writes land in tracked tables and are captured with the app's
 * own, so every other device receives the final rows, {@code updated_at} and counters included. Were the trigger
 * to run again during remote apply, it would stamp a second, different value that no capture sees (remote apply is
 * not captured), and the devices would end with different rows.
 *
 * <p>So the applying transaction drops these triggers first and creates them again, from the SQL SQLite kept for
 * them, before it commits. Other connections never see them missing (the whole swap is one transaction), and the
 * app's schema is unchanged afterwards. Every other trigger stays in place: one that only checks
 * ({@code SELECT RAISE(ABORT, ...)}) refuses a remote row it does not accept, and that row is parked with the
 * trigger's message while later rows still apply; one that writes only into tables PocketSync does not track (an
 * audit log) records remote rows as well as local ones, since nothing of it is synced.
 */
final class AppTriggers {
    /** The table a write statement of a trigger body names: INSERT [OR x] INTO t, REPLACE INTO t, UPDATE [OR x] t, DELETE FROM t. */
    private static final Pattern WRITE_TARGET = Pattern.compile("\\b(?:INSERT(?:\\s+OR\\s+\\w+)?\\s+INTO|REPLACE\\s+INTO"
            + "|UPDATE(?:\\s+OR\\s+\\w+)?|DELETE\\s+FROM)\\s+(?:\"([^\"]+)\"|`([^`]+)`|\\[([^\\]]+)]|([\\w$]+))",
            Pattern.CASE_INSENSITIVE);

    private final StatementCache statements;
    private List<String> suspended = List.of();

    AppTriggers(StatementCache statements) {
        this.statements = statements;
    }

    /** Drops the writing app triggers of the tracked tables; call at the start of the applying transaction. */
    void suspend() throws SQLException {
        Set<String> tracked = new HashSet<>();
        try (ResultSet rs = statements.get("SELECT lower(tbl) FROM " + SystemTables.VERSION).executeQuery()) {
            while (rs.next()) {
                tracked.add(rs.getString(1));
            }
        }
        List<String[]> found = new ArrayList<>();
        PreparedStatement read = statements.get("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL"
                + " AND substr(name, 1, " + SystemTables.PREFIX.length() + ") != '" + SystemTables.PREFIX + "'"
                + " AND tbl_name IN (SELECT tbl FROM " + SystemTables.VERSION + ")");
        try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                if (writesInto(rs.getString(2), tracked)) {
                    found.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
        List<String> sql = new ArrayList<>();
        for (String[] trigger : found) {
            statements.update("DROP TRIGGER " + io.pocketsync.api.Identifiers.quoteSql(trigger[0]));
            sql.add(trigger[1]);
        }
        suspended = sql;
    }

    /** Whether the body of trigger {@code sql} writes into one of the {@code tracked} tables (lower-case names). */
    static boolean writesInto(String sql, Set<String> tracked) {
        int begin = sql.toUpperCase(Locale.ROOT).indexOf("BEGIN");
        // string literals can say anything ('cannot insert into note'): blank them first
        String body = begin < 0 ? "" : sql.substring(begin).replaceAll("'(?:[^']|'')*'", "''");
        Matcher matcher = WRITE_TARGET.matcher(body);
        while (matcher.find()) {
            for (int group = 1; group <= 4; group++) {
                String table = matcher.group(group);
                if (table != null && tracked.contains(table.toLowerCase(Locale.ROOT))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Creates the suspended triggers again; call before the applying transaction commits. */
    void restore() throws SQLException {
        List<String> sql = suspended;
        suspended = List.of();
        for (String create : sql) {
            statements.update(create);
        }
    }
}
