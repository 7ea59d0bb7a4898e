package io.pocketsync.it.support;

import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.ErrorCode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain JDBC on a device's SQLite file, as the app (or the {@code sqlite3} shell) would use it: each call
 * opens its own connection, so writes are captured by the triggers, not by the engine.
 */
public final class SqliteFiles {
    /** The table the end-to-end tests sync. */
    public static final String ITEMS = "items";
    private static final String ITEMS_DDL = "CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, name TEXT, qty INTEGER)";

    private SqliteFiles() {}

    /** Creates the {@code items} table in {@code file} (the file too, when missing). */
    public static void createItems(Path file) {
        execute(file, ITEMS_DDL);
    }

    /** Runs one statement with {@code args}; returns the update count. */
    public static int execute(Path file, String sql, Object... args) {
        try (Connection connection = open(file); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            return statement.executeUpdate();
        }
        catch (SQLException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "SQL failed on " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The user rows of {@code table} ordered by {@code ps_global_id}, with every column (the global id included,
     * so two devices only compare equal when they agree on row identity).
     */
    public static List<Map<String, Object>> rows(Path file, String table) {
        String sql = "SELECT * FROM \"" + table.replace("\"", "\"\"") + "\" ORDER BY ps_global_id";
        try (Connection connection = open(file); PreparedStatement statement = connection.prepareStatement(sql);
             ResultSet rs = statement.executeQuery()) {
            ResultSetMetaData meta = rs.getMetaData();
            List<Map<String, Object>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    Object value = rs.getObject(i);
                    // SQLite integers are 64-bit; the driver narrows small ones, the wire model does not
                    row.put(meta.getColumnName(i), value instanceof Integer small ? Long.valueOf(small) : value);
                }
                rows.add(row);
            }
            return rows;
        }
        catch (SQLException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "SQL failed on " + file + ": " + e.getMessage(), e);
        }
    }

    /** The {@code name} column of the row whose {@code id} is {@code id}, or null when there is no such row. */
    public static String itemName(Path file, String id) {
        return rows(file, ITEMS).stream().filter(r -> id.equals(r.get("id"))).map(r -> (String) r.get("name"))
                .findFirst().orElse(null);
    }

    private static Connection open(Path file) throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (var statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout = 10000");
        }
        return connection;
    }
}
