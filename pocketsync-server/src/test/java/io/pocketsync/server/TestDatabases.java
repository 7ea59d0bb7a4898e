package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/** Plain JDBC on app databases, as an app would write them. */
final class TestDatabases {
    private TestDatabases() {}

    /** Runs the sqlite3 shell on {@code db}, as an app or an operator would; returns its stdout. */
    static String sqlite3(Path db, String sql) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("sqlite3", "-cmd", ".timeout 5000", db.toString(), sql)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("sqlite3 said: %s", output).isZero();
        return output.strip();
    }

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
