package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device side of a full resync (protocol.md 3.6): the rows the SNAPSHOT pages named are remembered
 * ({@code __pocketsync_resync_rows}), and the last page removes the synced local rows the server no longer has.
 * Not thread-safe (the capture is synchronized).
 */
final class FullResync {
    private static final Logger LOG = LoggerFactory.getLogger(FullResync.class);

    private final Connection connection;
    private final StatementCache statements;

    /** Statements run once per resync go to {@code connection} directly, sparing the cache of the hot ones. */
    FullResync(Connection connection, StatementCache statements) {
        this.connection = requireNonNull(connection, "connection is null");
        this.statements = requireNonNull(statements, "statements is null");
    }

    /** A first SNAPSHOT page arrived: whatever an interrupted resync remembered is forgotten. */
    void start(long cursor, boolean wasResyncing) throws SQLException {
        forgetRows();
        if (!wasResyncing) {
            LOG.info("full resync started (cursor {})", cursor);
        }
    }

    /** The server answered a pull from cursor 0 with a catch-up: it pruned nothing, so that page is complete. */
    void replacedByCatchUp() throws SQLException {
        forgetRows();
        LOG.info("full resync replaced by a catch-up from 0");
    }

    /** A batch that remembers the (tbl, gid) of rows a SNAPSHOT page named, written when flushed. */
    ValuesBatch rowsSeen() {
        return new ValuesBatch(statements, "INSERT OR IGNORE INTO " + SystemTables.RESYNC_ROWS + " (tbl, gid)", 2, "");
    }

    /**
     * The last SNAPSHOT page was applied: deletes synced local rows that no page named, except rows with a local
     * change pending and rows of a bulk push not acknowledged yet (they are pushed afterwards).
     *
     * @return the tables rows were deleted from
     */
    List<String> finish(Collection<TableSchema> schemas) throws SQLException {
        List<String> touched = new ArrayList<>();
        for (TableSchema schema : schemas) {
            int deleted = Sql.update(connection, "DELETE FROM " + quoteSql(schema.name()) + " WHERE " + SystemTables.GLOBAL_ID
                    + " IS NOT NULL AND " + SystemTables.GLOBAL_ID + " NOT IN (SELECT gid FROM " + SystemTables.RESYNC_ROWS
                    + " WHERE tbl = ?1) AND " + SystemTables.GLOBAL_ID + " NOT IN (SELECT gid FROM " + SystemTables.CHANGES
                    + " WHERE tbl = ?1 AND state = 'pending') AND ?1 NOT IN (SELECT tbl FROM " + ScopeStates.OTHERS + ")"
                    // nor rows of a bulk push the server has not acknowledged (they are pending too, see BulkRecords)
                    + " AND NOT EXISTS (SELECT 1 FROM " + SystemTables.BULK + " b WHERE b.tbl = ?1 AND "
                    + quoteSql(schema.name()) + ".rowid > b.acked AND " + quoteSql(schema.name()) + ".rowid <= b.upper)",
                    schema.name());
            if (deleted > 0) {
                touched.add(schema.name());
                LOG.info("full resync removed {} local rows of {} that the server no longer has", deleted, schema.name());
            }
        }
        forgetRows();
        LOG.info("full resync finished");
        return touched;
    }

    private void forgetRows() throws SQLException {
        Sql.execute(connection, "DELETE FROM " + SystemTables.RESYNC_ROWS + " WHERE " + ScopeStates.NOT_OTHERS);
    }
}
