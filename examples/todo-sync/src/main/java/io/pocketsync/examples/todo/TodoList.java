package io.pocketsync.examples.todo;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The app's own data access: plain JDBC on its own connection, knowing nothing about sync. PocketSync's
 * triggers capture every write made here (or from any other connection or process).
 *
 * <p>Not thread-safe; one per device. Close it to release the connection.
 */
final class TodoList implements AutoCloseable {
    /** The app's schema. A TEXT primary key (UUIDs) is what lets rows from several devices coexist. */
    static final String SCHEMA = "CREATE TABLE IF NOT EXISTS todos ("
            + "id TEXT PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0)";

    private final Connection connection;

    TodoList(Path databaseFile) throws SQLException {
        connection = DriverManager.getConnection("jdbc:sqlite:" + requireNonNull(databaseFile, "databaseFile is null"));
        try (var statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout = 5000"); // the sync engine writes to the same file
            statement.execute(SCHEMA);
        }
    }

    /** Adds a todo and returns its id. */
    String add(String title) throws SQLException {
        String id = UUID.randomUUID().toString();
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO todos (id, title) VALUES (?, ?)")) {
            insert.setString(1, id);
            insert.setString(2, title);
            insert.executeUpdate();
        }
        return id;
    }

    void complete(String id) throws SQLException {
        update("UPDATE todos SET done = 1 WHERE id = ?", id);
    }

    void delete(String id) throws SQLException {
        update("DELETE FROM todos WHERE id = ?", id);
    }

    /** Every todo, ordered by title. */
    List<Todo> all() throws SQLException {
        List<Todo> todos = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("SELECT id, title, done FROM todos ORDER BY title, id");
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                todos.add(new Todo(rows.getString("id"), rows.getString("title"), rows.getInt("done") != 0));
            }
        }
        return todos;
    }

    private void update(String sql, String id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, id);
            statement.executeUpdate();
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
