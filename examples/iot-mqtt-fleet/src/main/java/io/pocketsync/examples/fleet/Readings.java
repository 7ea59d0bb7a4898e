package io.pocketsync.examples.fleet;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** The schema every node of the fleet shares: its readings, and the fleet's configuration. */
final class Readings {
    /** One row per measurement; the TEXT key ({@code sensor-3:17}) is unique across the fleet. */
    static final String SCHEMA = "CREATE TABLE IF NOT EXISTS readings ("
            + "id TEXT PRIMARY KEY, sensor TEXT NOT NULL, taken_at INTEGER NOT NULL, celsius REAL NOT NULL)";
    /** The fleet's configuration, one row per setting, written by the operator only (scope {@code fleet-config}). */
    static final String SETTINGS = "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)";

    private Readings() {}

    /** Opens a connection to {@code file}, creating the table if needed. */
    static Connection open(Path file) throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout = 5000"); // the sync engine writes to the same file
            statement.execute(SCHEMA);
            statement.execute(SETTINGS);
        }
        return connection;
    }
}
