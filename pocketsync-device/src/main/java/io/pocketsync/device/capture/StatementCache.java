package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prepared statements of the engine's connection, kept for reuse: applying a page runs the same few
 * statements hundreds of times, and preparing them each time cost more than running them. SQLite
 * re-prepares a statement by itself after a schema change. Not thread-safe (the capture is synchronized).
 */
final class StatementCache implements AutoCloseable {
    private static final int MAX_STATEMENTS = 64;

    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new LinkedHashMap<>(16, 0.75f, true);

    StatementCache(Connection connection) {
        this.connection = requireNonNull(connection, "connection is null");
    }

    /** The statement for {@code sql} with its parameters cleared. */
    PreparedStatement get(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            if (statements.size() >= MAX_STATEMENTS) {
                // statements per table and column list: bounded by evicting the least recently used one
                Map.Entry<String, PreparedStatement> eldest = statements.entrySet().iterator().next();
                statements.remove(eldest.getKey());
                eldest.getValue().close();
            }
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        else {
            statement.clearParameters();
        }
        return statement;
    }

    int update(String sql, Object... args) throws SQLException {
        PreparedStatement statement = get(sql);
        Sql.bind(statement, args);
        return statement.executeUpdate();
    }

    long queryLong(String sql, Object... args) throws SQLException {
        PreparedStatement statement = get(sql);
        Sql.bind(statement, args);
        try (java.sql.ResultSet rs = statement.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** The first column of the first row as text, or null when there is no row. */
    String queryString(String sql, Object... args) throws SQLException {
        PreparedStatement statement = get(sql);
        Sql.bind(statement, args);
        try (java.sql.ResultSet rs = statement.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Override
    public void close() {
        for (PreparedStatement statement : statements.values()) {
            try {
                statement.close();
            }
            catch (SQLException e) {
                // closing a statement of a connection that is closing anyway
            }
        }
        statements.clear();
    }
}
