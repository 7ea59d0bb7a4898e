package io.pocketsync.store.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

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

    @Override
    public void close() {
        try {
            for (PreparedStatement statement : statements.values()) {
                statement.close();
            }
            connection.close();
        }
        catch (SQLException e) {
            // closing: nothing left to protect
        }
    }
}
