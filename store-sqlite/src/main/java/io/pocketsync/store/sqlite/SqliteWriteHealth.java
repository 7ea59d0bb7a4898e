package io.pocketsync.store.sqlite;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Health;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.server.engine.store.WriteHealth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Whether the SQLite store can write ({@link SqliteServerStore#health()}): down from a write that failed (a full disk,
 * an I/O error, a read-only file) until a write succeeds again; meanwhile, at most once a second, a probe rewrites the
 * one row of {@code ps_probe} on the writer, under the store's write lock. Thread-safe.
 */
final class SqliteWriteHealth {
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
    /**
     * Free space the probe wants after SQLITE_FULL. A batch that failed for space leaves the WAL file longer than its
     * last commit, and a one-row probe fits in that slack while the next batch does not: without a margin readiness
     * would say up while the disk is still full.
     */
    static final long FULL_MARGIN_BYTES = 1L << 20;

    private final Path file;
    private final SqliteConnection writer;
    private final ReentrantLock writeLock;
    private final Clock clock;
    private final WriteHealth health = new WriteHealth("SQLite store", this::probe, PROBE_INTERVAL);
    private volatile boolean diskFull;

    SqliteWriteHealth(Path file, SqliteConnection writer, ReentrantLock writeLock, Clock clock) {
        this.file = file.toAbsolutePath();
        this.writer = writer;
        this.writeLock = writeLock;
        this.clock = clock;
    }

    Health health() {
        return health.health();
    }

    /** A write succeeded. */
    void succeeded() {
        diskFull = false;
        health.succeeded();
    }

    /** A write failed with {@code e} (the writer is clean again): down, with what SQLite said as the cause. */
    void failed(SQLException e) {
        diskFull = SqliteFaults.full(e);
        health.failed(SqliteFaults.describe(e, file));
    }

    /** One row rewritten in a transaction of its own; false while a batch holds the write lock. */
    private boolean probe() {
        if (!writeLock.tryLock()) {
            return false;
        }
        try {
            if (diskFull && usableSpace() < FULL_MARGIN_BYTES) {
                throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "SQLITE_FULL: the filesystem holding " + file
                        + " has " + usableSpace() / 1024 + " KiB free; writes resume once space is freed");
            }
            try {
                writer.execute("BEGIN IMMEDIATE");
                PreparedStatement statement = writer.prepared("INSERT OR REPLACE INTO ps_probe (id, at) VALUES (1, ?)");
                statement.setLong(1, clock.millis());
                statement.executeUpdate();
                writer.execute("COMMIT");
                diskFull = false;
                return true;
            }
            catch (SQLException e) {
                SqliteBatchTransaction.recover(writer);
                diskFull = SqliteFaults.full(e);
                throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, SqliteFaults.describe(e, file), e);
            }
        }
        finally {
            writeLock.unlock();
        }
    }

    private long usableSpace() {
        try {
            return Files.getFileStore(file.getParent()).getUsableSpace();
        }
        catch (IOException e) {
            return Long.MAX_VALUE; // cannot tell: the probe's write decides
        }
    }
}
