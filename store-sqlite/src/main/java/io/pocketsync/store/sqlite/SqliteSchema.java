package io.pocketsync.store.sqlite;

import io.pocketsync.server.engine.store.StoreJson;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's tables, versioned by {@code PRAGMA user_version}. Row images and column versions are JSON
 * text ({@link StoreJson}); sequences, HLCs and times (epoch milliseconds) are integers. The index on
 * {@code (scope, last_seq)} makes a catch-up page a range scan; the partial index on tombstones keeps
 * pruning cheap.
 *
 * <p>Layout 2 records the processed ids of a batch as one row of {@code ps_processed_batches}
 * for pruning, where layout 1 (files without a version) indexed every id by its commit time: one B-tree
 * insert per change fewer. Layout 3 (this one) records in {@code ps_processed} only the ids no row holds: an
 * applied change's id is its row's {@code last_change_id} until a later change replaces it, and only then is it
 * written to {@code ps_processed} ({@link SqliteProcessedIds}). {@code ps_scopes.ids_pruned_before} and
 * {@code ids_pruned_head}, the cut and the head of the latest {@link SqlitePrune}, say which rows' ids still count:
 * those of rows written after it ({@code last_seq > ids_pruned_head}) or committed at or after its cut. That spares a batch of new rows one B-tree entry per
 * change and its batch record.
 *
 * <p>{@link #create} migrates older files in place, in one transaction: layout 1's ids are regrouped into batch
 * rows (as layout 2 did; also repairing a file a layout-1 version opened meanwhile, which re-creates the time index
 * and records ids without batches); layouts 1 and 2 gain the two columns, set so that only rows written after
 * the migration count, since every id they processed is in {@code ps_processed} already. A file of a newer layout is
 * refused. A layout-1 version opening a layout-3 file would not see the ids only rows hold (it predates the
 * version check, so it cannot refuse the file): going back that far is not supported.
 */
final class SqliteSchema {
    static final int VERSION = 3;

    private static final Logger LOG = LoggerFactory.getLogger(SqliteSchema.class);

    private static final List<String> DDL = List.of(
            """
            CREATE TABLE IF NOT EXISTS ps_scopes (
              scope TEXT PRIMARY KEY,
              head INTEGER NOT NULL DEFAULT 0,
              horizon INTEGER NOT NULL DEFAULT 0,
              audit_seq INTEGER NOT NULL DEFAULT 0,
              ids_pruned_before INTEGER NOT NULL DEFAULT 0,
              ids_pruned_head INTEGER NOT NULL DEFAULT 0
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
            SqliteDeviceMarks.DDL,
            // committed_at stays written although pruning no longer reads it: a layout-1 version opening the
            // file re-creates its time index from it and prunes correctly.
            """
            CREATE TABLE IF NOT EXISTS ps_processed (
              scope TEXT NOT NULL,
              change_id TEXT NOT NULL,
              committed_at INTEGER NOT NULL,
              PRIMARY KEY (scope, change_id)
            ) WITHOUT ROWID""",
            // One row per batch that recorded ids: them as a JSON array, for pruning them by commit time.
            """
            CREATE TABLE IF NOT EXISTS ps_processed_batches (
              scope TEXT NOT NULL,
              committed_at INTEGER NOT NULL,
              ids TEXT NOT NULL
            )""",
            "CREATE INDEX IF NOT EXISTS ps_processed_batches_by_time ON ps_processed_batches (scope, committed_at)",
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
            "CREATE INDEX IF NOT EXISTS ps_audit_by_time ON ps_audit (scope, at)",
            // One row, written by the health probe while the store cannot write (SqliteServerStore#health). Added
            // without a layout change: a version that does not know it leaves it alone.
            "CREATE TABLE IF NOT EXISTS ps_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL)");

    /** Layout 1's index of every processed id by commit time; its presence means ids without batch rows. */
    static final String LAYOUT_1_TIME_INDEX = "ps_processed_by_time";
    /** A column of {@code ps_scopes} that layout 3 added (with {@code ids_pruned_head}). */
    static final String IDS_PRUNED_BEFORE = "ids_pruned_before";

    private SqliteSchema() {}

    /**
     * Creates the tables, or brings an older layout up to {@link #VERSION}, in one transaction.
     *
     * @throws SQLException also when the file has a newer layout than this version knows
     */
    static void create(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            try {
                int version = userVersion(statement);
                if (version > VERSION) {
                    throw new SQLException("the store file has layout " + version + "; this PocketSync knows layouts up to "
                            + VERSION + " (open it with a newer version)");
                }
                for (String ddl : DDL) {
                    statement.execute(ddl);
                }
                if (hasIndex(statement, LAYOUT_1_TIME_INDEX)) {
                    migrateProcessedIds(statement, version);
                }
                if (!hasColumn(statement, "ps_scopes", IDS_PRUNED_BEFORE)) {
                    addIdsPruned(statement, version);
                }
                statement.execute("PRAGMA user_version = " + VERSION);
                statement.execute("COMMIT");
            }
            catch (SQLException e) {
                statement.execute("ROLLBACK");
                throw e;
            }
        }
    }

    /**
     * Groups every recorded id into batch rows by scope and commit time (what pruning needs), replacing the
     * batch rows there were: a layout-1 version may have recorded ids since, without them.
     */
    private static void migrateProcessedIds(Statement statement, int version) throws SQLException {
        statement.execute("DELETE FROM ps_processed_batches");
        statement.execute("INSERT INTO ps_processed_batches (scope, committed_at, ids) "
                + "SELECT scope, committed_at, json_group_array(change_id) FROM ps_processed GROUP BY scope, committed_at");
        statement.execute("DROP INDEX " + LAYOUT_1_TIME_INDEX);
        LOG.info("SQLite store: processed ids of layout {} regrouped into batch records for layout {}", version, VERSION);
    }

    /**
     * Layout 3's cut for ids held by rows. Every id an older layout processed is in {@code ps_processed}, so its rows
     * must not count as holding theirs (an id pruned there would come back); rows written from now on do.
     */
    private static void addIdsPruned(Statement statement, int version) throws SQLException {
        statement.execute("ALTER TABLE ps_scopes ADD COLUMN " + IDS_PRUNED_BEFORE + " INTEGER NOT NULL DEFAULT 0");
        statement.execute("ALTER TABLE ps_scopes ADD COLUMN ids_pruned_head INTEGER NOT NULL DEFAULT 0");
        statement.execute("UPDATE ps_scopes SET " + IDS_PRUNED_BEFORE + " = " + Long.MAX_VALUE + ", ids_pruned_head = head");
        LOG.info("SQLite store: layout {} brought to layout {}; rows written from now on hold their change ids", version, VERSION);
    }

    private static boolean hasColumn(Statement statement, String table, String column) throws SQLException {
        try (ResultSet rs = statement.executeQuery("SELECT 1 FROM pragma_table_info('" + table + "') WHERE name = '" + column + "'")) {
            return rs.next();
        }
    }

    private static int userVersion(Statement statement) throws SQLException {
        try (ResultSet rs = statement.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static boolean hasIndex(Statement statement, String name) throws SQLException {
        try (ResultSet rs = statement.executeQuery("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = '" + name + "'")) {
            return rs.next();
        }
    }
}
