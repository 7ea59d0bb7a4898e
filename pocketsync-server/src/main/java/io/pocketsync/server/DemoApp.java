package io.pocketsync.server;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The demo's "app": plain JDBC on a device database, as any program would write it. A fresh
 * connection per call, like a separate process: capture must not depend on the engine's connection.
 */
final class DemoApp {
    private DemoApp() {}

    static void createApp(Path db) throws SQLException {
        execute(db, "CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0)");
    }

    static void execute(Path db, String sql) {
        try (Connection connection = open(db); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
        catch (SQLException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "demo SQL failed: " + e.getMessage(), e);
        }
    }

    static void bulkInsert(Path db, int count) throws SQLException {
        try (Connection connection = open(db)) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO todo (id, title) VALUES (?, ?)")) {
                for (int i = 1; i <= count; i++) {
                    insert.setString(1, String.format("pack-%03d", i));
                    insert.setString(2, "Pack item " + i);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            connection.commit();
        }
    }

    static String title(Path db, String id) {
        try (Connection connection = open(db);
                PreparedStatement query = connection.prepareStatement("SELECT title FROM todo WHERE id = ?")) {
            query.setString(1, id);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
        catch (SQLException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "demo query failed: " + e.getMessage(), e);
        }
    }

    /** Every row as {@code id|title|done}, sorted: equal lists mean equal app data. */
    static List<String> rows(Path db) {
        List<String> rows = new ArrayList<>();
        try (Connection connection = open(db); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT id, title, done FROM todo ORDER BY id")) {
            while (result.next()) {
                rows.add(result.getString(1) + "|" + result.getString(2) + "|" + result.getInt(3));
            }
        }
        catch (SQLException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "demo query failed: " + e.getMessage(), e);
        }
        return rows;
    }

    static List<Map.Entry<String, String>> summary(Path db) {
        List<Map.Entry<String, String>> lines = new ArrayList<>();
        long packing = 0;
        for (String row : rows(db)) {
            String[] parts = row.split("\\|", 3);
            if (parts[0].startsWith("pack-")) {
                packing++;
            }
            else {
                lines.add(new AbstractMap.SimpleEntry<>(parts[0], parts[1] + ("1".equals(parts[2]) ? " (done)" : "")));
            }
        }
        lines.add(new AbstractMap.SimpleEntry<>("pack-*", packing + " packing items"));
        return lines;
    }

    private static Connection open(Path db) throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout = 5000");
        }
        return connection;
    }
}
