package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.core.sqlite.CheckpointThread;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConnection;

/**
 * Copies the engine's committed WAL pages into the database file on a thread of its own, so that the engine's commits
 * do not: SQLite's automatic checkpoint runs inside the COMMIT that finds the WAL over {@code wal_autocheckpoint} pages,
 * on the engine thread, and costs it a write per page and two fsyncs. A device that applies pages of remote changes
 * spent about a third of its engine thread there (the MQTT benchmark's receiving device). Here a {@code PASSIVE}
 * checkpoint (which never blocks a writer or a reader) runs once about {@link #PAGES} WAL pages were committed since the
 * last, an estimate from the rows the engine's connection changed ({@link #committed}), at most every {@link #INTERVAL}.
 * The server's SQLite store does the same for its writer.
 *
 * <p>Durability does not change: a commit is as durable as the committing connection's {@code synchronous} makes it
 * once its frames are in the WAL; a checkpoint only copies them on, syncing the WAL before and the file after, as the
 * automatic one does. The engine's connection keeps SQLite's automatic checkpoint, raised to {@link #ENGINE_PAGES}, as
 * the backstop that lets the WAL start over when a passive checkpoint could not finish (a commit came in while it ran);
 * it then finds most pages copied already. The app's own connections keep their settings.
 *
 * <p>Used only for a file in WAL mode. Thread-safe: {@link #committed} is called on the engine thread after its commits,
 * {@link #close} once.
 */
final class WalCheckpointer implements AutoCloseable {
    /** WAL pages (estimated) after which a checkpoint runs: half of SQLite's default automatic checkpoint. */
    static final int PAGES = 500;
    /** The engine connection's {@code wal_autocheckpoint}: above {@link #PAGES}, so that it is the backstop, not the rule. */
    static final int ENGINE_PAGES = 4000;
    /** Pages a commit writes whatever its size (the header, the sync state and change log pages it touches). */
    static final int PAGES_PER_COMMIT = 4;
    /**
     * Rows changed per WAL page, about: each applied or sealed row also writes an entry of the id index, and ids derived
     * by hashing land on a page of their own nearly every time once the index is large.
     */
    static final int ROWS_PER_PAGE = 1;
    /** How often at most the thread checkpoints: bounds its fsyncs when the engine commits often. */
    static final Duration INTERVAL = Duration.ofMillis(20);

    private static final Logger LOG = LoggerFactory.getLogger(WalCheckpointer.class);

    private final SQLiteConnection engine;
    private final Connection connection;
    private final CheckpointThread thread;
    /** The engine connection's {@code total_changes()} at the last look; engine thread only. */
    private long changesSeen;

    private WalCheckpointer(SQLiteConnection engine, Connection connection) throws SQLException {
        this.engine = engine;
        this.connection = connection;
        this.changesSeen = engine.getDatabase().total_changes();
        this.thread = CheckpointThread.start("pocketsync-wal-checkpoint", PAGES, INTERVAL, this::checkpoint);
    }

    /**
     * A checkpointer for the engine's connection, on a connection of its own from {@code dataSource}; null when the engine
     * connection is not sqlite-jdbc's (its changes cannot be counted) or no connection can be had (then the engine's
     * automatic checkpoint stays as it is).
     *
     * @param engine the engine's connection, already in WAL mode
     */
    static @Nullable WalCheckpointer start(Connection engine, DataSource dataSource) {
        requireNonNull(dataSource, "dataSource is null");
        Connection own = null;
        try {
            if (!engine.isWrapperFor(SQLiteConnection.class)) {
                return null;
            }
            own = dataSource.getConnection();
            try (Statement statement = engine.createStatement()) {
                statement.execute("PRAGMA wal_autocheckpoint = " + ENGINE_PAGES);
            }
            return new WalCheckpointer(engine.unwrap(SQLiteConnection.class), own);
        }
        catch (SQLException e) {
            LOG.debug("no background checkpoints ({}); the engine's commits checkpoint the WAL themselves", e.getMessage());
            Sql.closeQuietly(own, "the checkpoint connection");
            return null;
        }
    }

    /** The engine committed a transaction. Cheap (a counter read); never waits for a checkpoint. Engine thread. */
    void committed() {
        long changes;
        try {
            changes = engine.getDatabase().total_changes();
        }
        catch (SQLException e) {
            return; // the connection is closing: nothing more to copy
        }
        long rows = Math.max(0, changes - changesSeen);
        changesSeen = changes;
        thread.committed(PAGES_PER_COMMIT + rows / ROWS_PER_PAGE);
    }

    private void checkpoint() {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
            rs.next(); // (busy, WAL frames, frames copied); the engine's own checkpoint covers what is left
        }
        catch (SQLException e) {
            // a busy file (another checkpoint ran) or a fault: the engine's automatic checkpoint copies the pages instead
            LOG.debug("background checkpoint failed: {}", e.getMessage());
        }
    }

    /** Whether the thread still runs (until {@link #close}). */
    boolean running() {
        return thread.running();
    }

    /** Stops the thread (a checkpoint under way finishes first) and closes its connection. */
    @Override
    public void close() {
        thread.close();
        Sql.closeQuietly(connection, "the checkpoint connection");
    }
}
