package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Takes PocketSync out of a database: its triggers, indexes and {@code __pocketsync_*} tables, and the
 * {@code ps_global_id} column it added to each tracked table. The app's rows, columns, triggers and indexes stay as they
 * are, and so does the journal mode. What was not pushed yet is dropped with the change log, so uninstall a device
 * that is in sync (or accept that its unsynced writes stay local).
 *
 * <p>One transaction: all of it, or nothing. No engine may run on the file meanwhile.
 */
public final class Uninstaller {
    /**
     * What was removed.
     *
     * @param triggers PocketSync's triggers dropped
     * @param tables PocketSync's tables dropped
     * @param idColumns the tracked tables whose {@code ps_global_id} column was dropped
     */
    public record Report(int triggers, int tables, List<String> idColumns) {}

    private Uninstaller() {}

    /**
     * Removes PocketSync from the database behind {@code dataSource}.
     *
     * @param dataSource the device database; one connection is taken from it and closed
     * @return what was removed
     * @throws PocketSyncException {@code SCHEMA_INVALID} when PocketSync is not installed there
     */
    public static Report uninstall(DataSource dataSource) {
        requireNonNull(dataSource, "dataSource is null");
        try (Connection c = dataSource.getConnection()) {
            Sql.configure(c, Duration.ofSeconds(10), JournalMode.KEEP);
            return Sql.inTransaction(c, () -> {
                List<String> triggers = names(c, "trigger");
                List<String> tables = names(c, "table");
                if (!tables.contains(SystemTables.VERSION)) {
                    throw new PocketSyncException(ErrorCode.SCHEMA_INVALID, "PocketSync is not installed in this database");
                }
                List<String> tracked = new ArrayList<>();
                try (PreparedStatement read = c.prepareStatement("SELECT tbl FROM " + SystemTables.VERSION + " ORDER BY tbl");
                     ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        tracked.add(rs.getString(1));
                    }
                }
                for (String trigger : triggers) {
                    Sql.execute(c, "DROP TRIGGER " + quoteSql(trigger));
                }
                for (String index : names(c, "index")) {
                    Sql.execute(c, "DROP INDEX " + quoteSql(index));
                }
                List<String> idColumns = new ArrayList<>();
                for (String table : tracked) {
                    if (Sql.queryLong(c, "SELECT count(*) FROM pragma_table_info(?) WHERE name = ?", table, SystemTables.GLOBAL_ID) > 0) {
                        Sql.execute(c, "ALTER TABLE " + quoteSql(table) + " DROP COLUMN " + SystemTables.GLOBAL_ID);
                        idColumns.add(table);
                    }
                }
                for (String table : tables) {
                    Sql.execute(c, "DROP TABLE " + quoteSql(table));
                }
                if (Sql.queryLong(c, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'") > 0) {
                    Sql.update(c, "DELETE FROM sqlite_sequence WHERE substr(name, 1, ?) = ?", (long) SystemTables.PREFIX.length(),
                            SystemTables.PREFIX);
                }
                return new Report(triggers.size(), tables.size(), List.copyOf(idColumns));
            });
        }
        catch (SQLException e) {
            throw Sql.failure("uninstalling PocketSync failed", e);
        }
    }

    /** PocketSync's objects of one type ({@code __pocketsync} prefix; its indexes on app tables included). */
    private static List<String> names(Connection c, String type) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement read = c.prepareStatement("SELECT name FROM sqlite_master WHERE type = ? AND substr(name, 1, ?) = ?"
                + " ORDER BY name")) {
            read.setString(1, type);
            read.setInt(2, SystemTables.PREFIX.length());
            read.setString(3, SystemTables.PREFIX);
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }
}
