package io.pocketsync.store.sqlite;

import io.pocketsync.core.store.StoreJson;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The store's tables. Row images and column versions are JSON text ({@link StoreJson}); sequences,
 * HLCs and times (epoch milliseconds) are integers. The index on {@code (scope, last_seq)} makes a
 * catch-up page a range scan; the partial index on tombstones keeps pruning cheap.
 */
final class SqliteSchema {
    private static final List<String> DDL = List.of(
            """
            CREATE TABLE IF NOT EXISTS ps_scopes (
              scope TEXT PRIMARY KEY,
              head INTEGER NOT NULL DEFAULT 0,
              horizon INTEGER NOT NULL DEFAULT 0,
              audit_seq INTEGER NOT NULL DEFAULT 0
            ) WITHOUT ROWID""",
            """
            CREATE TABLE IF NOT EXISTS ps_rows (
              scope TEXT NOT NULL,
              tbl TEXT NOT NULL,
              gid TEXT NOT NULL,
              row_json TEXT NOT NULL,
              deleted INTEGER NOT NULL,
              hlc INTEGER NOT NULL,
              device TEXT NOT NULL,
              column_versions TEXT NOT NULL,
              last_change_id TEXT NOT NULL,
              first_seq INTEGER NOT NULL,
              last_seq INTEGER NOT NULL,
              committed_at INTEGER NOT NULL,
              PRIMARY KEY (scope, tbl, gid)
            )""",
            "CREATE UNIQUE INDEX IF NOT EXISTS ps_rows_by_seq ON ps_rows (scope, last_seq)",
            "CREATE INDEX IF NOT EXISTS ps_rows_tombstones ON ps_rows (scope, committed_at) WHERE deleted = 1",
            """
            CREATE TABLE IF NOT EXISTS ps_processed (
              scope TEXT NOT NULL,
              change_id TEXT NOT NULL,
              committed_at INTEGER NOT NULL,
              PRIMARY KEY (scope, change_id)
            ) WITHOUT ROWID""",
            "CREATE INDEX IF NOT EXISTS ps_processed_by_time ON ps_processed (scope, committed_at)",
            """
            CREATE TABLE IF NOT EXISTS ps_audit (
              scope TEXT NOT NULL,
              id INTEGER NOT NULL,
              at INTEGER NOT NULL,
              status TEXT NOT NULL,
              change_json TEXT NOT NULL,
              winner_change_id TEXT,
              error_code TEXT,
              reason TEXT,
              PRIMARY KEY (scope, id)
            ) WITHOUT ROWID""",
            "CREATE INDEX IF NOT EXISTS ps_audit_by_time ON ps_audit (scope, at)");

    private SqliteSchema() {}

    static void create(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            try {
                for (String ddl : DDL) {
                    statement.execute(ddl);
                }
                statement.execute("COMMIT");
            }
            catch (SQLException e) {
                statement.execute("ROLLBACK");
                throw e;
            }
        }
    }
}
