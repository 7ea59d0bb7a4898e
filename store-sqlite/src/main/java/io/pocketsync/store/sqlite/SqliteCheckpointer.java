package io.pocketsync.store.sqlite;

import io.pocketsync.core.sqlite.CheckpointThread;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies committed WAL pages into the database file on a thread of its own, so that the writer's commits do not:
 * SQLite's automatic checkpoint runs inside the COMMIT that crosses {@code wal_autocheckpoint} pages, on the thread
 * that waits for the ACK, and costs it a read and a write per page and two fsyncs. Here a {@code PASSIVE} checkpoint
 * (which never blocks the writer or readers) runs once about {@link #PAGES} WAL pages were committed since the last,
 * an estimate from the batches' commits and rows ({@link #committed}), at most every {@link #INTERVAL}.
 *
 * <p>Durability does not change: a commit is durable once its WAL frames are synced ({@code synchronous=FULL}); a
 * checkpoint only moves them. The writer keeps SQLite's automatic checkpoint, at {@link #WRITER_PAGES}, as the backstop
 * that lets the WAL start over: a passive checkpoint can only reset the WAL when no commit came in while it ran, which
 * under steady load is rare, and the writer's own checkpoint then finds most pages copied already.
 *
 * <p>Thread-safe: {@link #committed} is called by the writer under the store's write lock, {@link #close} once.
 */
final class SqliteCheckpointer implements AutoCloseable {
    /** WAL pages (estimated) after which a checkpoint runs: half of SQLite's default automatic checkpoint. */
    static final int PAGES = 500;
    /** The writer's {@code wal_autocheckpoint}: above {@link #PAGES}, so that it is the backstop, not the rule. */
    static final int WRITER_PAGES = 2000;
    /** Pages a commit writes whatever its size (the file header, scope, marks, checksum and index pages it touches). */
    static final int PAGES_PER_COMMIT = 5;
    /** Rows per WAL page a batch writes, about (80 pages per 1,000-row commit measured, benchmark rows). */
    static final int ROWS_PER_PAGE = 12;
    /** How often at most the thread checkpoints: bounds its fsyncs when batches are large. */
    static final Duration INTERVAL = Duration.ofMillis(20);

    private static final Logger LOG = LoggerFactory.getLogger(SqliteCheckpointer.class);

    private final SqliteConnection connection;
    private final CheckpointThread thread;

    /** Starts the thread; call with the writer, whose automatic checkpoint becomes the backstop. */
    SqliteCheckpointer(Path path, SqliteStoreConfig config, SqliteConnection writer) throws SQLException {
        writer.execute("PRAGMA wal_autocheckpoint = " + WRITER_PAGES);
        this.connection = SqliteConnection.open(path, config, false);
        this.thread = CheckpointThread.start("pocketsync-sqlite-checkpoint", PAGES, INTERVAL, this::checkpoint);
    }

    /** A batch of {@code rows} row writes was committed. Cheap; never blocks on a checkpoint. */
    void committed(int rows) {
        thread.committed(PAGES_PER_COMMIT + rows / ROWS_PER_PAGE);
    }

    private void checkpoint() {
        try (ResultSet rs = connection.prepared("PRAGMA wal_checkpoint(PASSIVE)").executeQuery()) {
            rs.next(); // (busy, WAL frames, frames copied); the writer's own checkpoint covers what is left
        }
        catch (SQLException e) {
            // a busy file or a fault: the writer's automatic checkpoint copies the pages instead
            LOG.debug("background checkpoint failed: {}", e.getMessage());
            connection.recover();
        }
    }

    @Override
    public void close() {
        thread.close();
        connection.close();
    }
}
