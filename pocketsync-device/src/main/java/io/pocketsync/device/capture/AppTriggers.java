package io.pocketsync.device.capture;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The app's own triggers on tracked tables, set aside while remote changes are applied.
 *
 * <p>The trigger rule: <em>an app trigger that writes (its body holds INSERT, UPDATE, DELETE or REPLACE) runs where
 * the app writes, and its writes sync like any other write; it does not run again when those rows are applied on
 * other devices.</em> On the device where the app writes, the trigger's writes land in tracked tables and are
 * captured with the app's own, so every other device receives the final rows, {@code updated_at} and counters
 * included. Were the trigger to run again during remote apply, it would stamp a second, different value that no
 * capture sees (remote apply is not captured), and the devices would end with different rows.
 *
 * <p>So the applying transaction drops these triggers first and creates them again, from the SQL SQLite kept for
 * them, before it commits. Other connections never see them missing (the whole swap is one transaction), and the
 * app's schema is unchanged afterwards. A trigger that only checks (e.g. {@code SELECT RAISE(ABORT, ...)}) stays
 * in place: it refuses a remote row it does not accept, and that row is parked with the trigger's message while
 * later rows still apply.
 *
 * <p>Consequence to know: a trigger that writes into a table that is not tracked (an audit log, say) records only
 * the app's local writes, not the rows applied from other devices.
 */
final class AppTriggers {
    /** A write statement in a trigger body (after its BEGIN). */
    private static final Pattern WRITES = Pattern.compile("\\bBEGIN\\b.*\\b(INSERT|UPDATE|DELETE|REPLACE)\\b",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private final StatementCache statements;
    private List<String> suspended = List.of();

    AppTriggers(StatementCache statements) {
        this.statements = statements;
    }

    /** Drops the writing app triggers of the tracked tables; call at the start of the applying transaction. */
    void suspend() throws SQLException {
        List<String[]> found = new ArrayList<>();
        PreparedStatement read = statements.get("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL"
                + " AND substr(name, 1, " + SystemTables.PREFIX.length() + ") != '" + SystemTables.PREFIX + "'"
                + " AND tbl_name IN (SELECT tbl FROM " + SystemTables.VERSION + ")");
        try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                if (WRITES.matcher(rs.getString(2)).find()) {
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

    /** Creates the suspended triggers again; call before the applying transaction commits. */
    void restore() throws SQLException {
        List<String> sql = suspended;
        suspended = List.of();
        for (String create : sql) {
            statements.update(create);
        }
    }
}
