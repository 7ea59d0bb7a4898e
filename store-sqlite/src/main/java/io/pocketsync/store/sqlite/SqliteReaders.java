package io.pocketsync.store.sqlite;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The store's read connections ({@code read-connections} of them, {@code query_only}): each read borrows one, which
 * sees the latest committed snapshot and never waits for the writer, and gives it back. A reader waits at most
 * {@code busy-timeout} for a free connection. Split out of {@link SqliteServerStore}, which owns the writer.
 *
 * <p>Thread-safe.
 */
final class SqliteReaders implements AutoCloseable {
    /** One read on a borrowed connection. */
    @FunctionalInterface
    interface Action<T> {
        T run(SqliteConnection connection) throws SQLException;
    }

    private final SqliteStoreConfig config;
    private final BlockingQueue<SqliteConnection> free;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Connections opened: {@link #close} waits for those borrowed, not for ones a failed {@link #open} never made. */
    private int opened;

    SqliteReaders(SqliteStoreConfig config) {
        this.config = config;
        this.free = new ArrayBlockingQueue<>(config.readConnections());
    }

    /** Opens the connections; on a failure those opened stay here for {@link #close}. */
    void open(Path path) throws SQLException {
        for (int i = 0; i < config.readConnections(); i++) {
            free.add(SqliteConnection.open(path, config, true));
            opened++;
        }
    }

    /**
     * Runs {@code action} on a free connection.
     *
     * @throws PocketSyncException STORE_UNAVAILABLE when no connection is free in time or the read fails
     */
    <T> T read(Action<T> action) {
        SqliteConnection connection;
        try {
            connection = free.poll(config.busyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "interrupted while waiting for a read connection", e);
        }
        if (connection == null) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "no SQLite read connection free in time");
        }
        try {
            return action.run(connection);
        }
        catch (SQLException e) {
            connection.recover(); // a failed read finalizes its statement too
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "SQLite read failed: " + e.getMessage(), e);
        }
        finally {
            if (closed.get()) {
                connection.close();
            }
            else {
                free.add(connection);
            }
        }
    }

    /** Closes the connections, waiting up to {@code busy-timeout} for each one still borrowed. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (int i = 0; i < opened; i++) {
            try {
                SqliteConnection reader = free.poll(config.busyTimeout().toMillis(), TimeUnit.MILLISECONDS);
                if (reader != null) {
                    reader.close();
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }
}
