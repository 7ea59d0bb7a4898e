package io.pocketsync.server;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Plain JDBC on app databases, as an app would write them. */
final class TestDatabases {
    private TestDatabases() {}

    static void execute(Path db, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout = 5000");
            statement.execute(sql);
        }
    }

    /** The title of a todo row, or null. */
    static String title(Path db, String id) {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
                PreparedStatement query = connection.prepareStatement("SELECT title FROM todo WHERE id = ?")) {
            query.setString(1, id);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
        catch (SQLException e) {
            // Busy while the device applies: the caller polls again.
            return null;
        }
    }

    static void createTodo(Path db) throws SQLException {
        execute(db, "CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0)");
    }
}
