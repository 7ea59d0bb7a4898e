package io.pocketsync.store.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * One JDBC connection to the store file with its prepared statements kept for reuse. Not thread-safe:
 * the store hands a connection to one thread at a time (the writer under its lock, readers through a pool).
 */
final class SqliteConnection implements AutoCloseable {
    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    private SqliteConnection(Connection connection) {
        this.connection = connection;
    }

    /**
     * Opens a connection in WAL mode. Transactions are issued by hand ({@code BEGIN IMMEDIATE}) with JDBC
     * auto-commit on, so the driver never holds a transaction open between batches.
     */
    static SqliteConnection open(Path path, SqliteStoreConfig config, boolean readOnly) throws SQLException {
        Connection connection = org.sqlite.JDBC.createConnection("jdbc:sqlite:" + path.toAbsolutePath(), new Properties());
        // sqlite-jdbc otherwise matches every INSERT against a regex and prepares and runs
        // "SELECT last_insert_rowid()" after it; the store never asks for generated keys.
        connection.unwrap(org.sqlite.SQLiteConnection.class).getConnectionConfig().setGetGeneratedKeys(false);
        SqliteConnection opened = new SqliteConnection(connection);
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout = " + config.busyTimeout().toMillis());
            statement.execute("PRAGMA journal_mode = WAL");
            // FULL: every COMMIT fsyncs the WAL, so a batch that apply() returned (and the engine ACKed)
            // survives kill -9 and power loss. NORMAL in WAL mode would only survive a process crash.
            statement.execute("PRAGMA synchronous = " + config.synchronous());
            if (readOnly) {
                statement.execute("PRAGMA query_only = ON");
            }
        }
        catch (SQLException e) {
            opened.close();
            throw e;
        }
        return opened;
    }

    PreparedStatement prepared(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        return statement;
    }

    /** Runs a statement without results (BEGIN, COMMIT, ...), prepared once and kept like the others. */
    void execute(String sql) throws SQLException {
        prepared(sql).execute();
    }

    Connection jdbc() {
        return connection;
    }

    /**
     * Makes the connection usable again after a statement failed. sqlite-jdbc finalizes a statement that fails with
     * anything but BUSY, LOCKED or a constraint error (SQLITE_FULL, an I/O error, a read-only file): the cached one
     * would then answer every later use with "statement is not executing", and the store would stay broken after the
     * fault is gone. So the cached statements are closed, to be prepared again on next use, and an open transaction is
     * rolled back with a statement of its own (SQLite may have rolled it back already when the fault struck).
     *
     * @return null when no transaction is left open, or why the rollback failed
     */
    @Nullable String recover() {
        discardStatements();
        return rollback();
    }

    /**
     * Rolls back the open transaction, if any, with a statement of its own: a cached ROLLBACK that met no transaction
     * fails with SQLITE_ERROR, which finalizes it, and every later rollback through it would be lost.
     *
     * @return null when no transaction is left open, or why the rollback failed
     */
    @Nullable String rollback() {
        try (Statement statement = connection.createStatement()) {
            statement.execute("ROLLBACK");
            return null;
        }
        catch (SQLException e) {
            String message = String.valueOf(e.getMessage());
            return message.contains("no transaction is active") ? null : message;
        }
    }

    private void discardStatements() {
        for (PreparedStatement statement : statements.values()) {
            try {
                statement.close();
            }
            catch (SQLException e) {
                // a finalized statement may refuse to close again; it holds nothing
            }
        }
        statements.clear();
    }

    @Override
    public void close() {
        discardStatements();
        try {
            connection.close();
        }
        catch (SQLException e) {
            // closing: nothing left to protect
        }
    }
}
