package io.pocketsync.device.capture;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.sqlite.BusyHandler;

/**
 * What a connection does when another connection holds the database's write lock: wait in short steps,
 * until {@code timeout}, then give up with {@code SQLITE_BUSY} like {@code busy_timeout} does.
 *
 * <p>Why not {@code busy_timeout}: SQLite's built-in handler sleeps at least a whole millisecond before it
 * looks again (then 2, 5, 10 ms...). On a device the engine and the app write the same file, and a write
 * lock is normally held for a fraction of a millisecond (one commit and its fsync). Measured on the
 * end-to-end latency benchmark, the engine's {@code BEGIN IMMEDIATE} waiting out the app's commit took
 * 1.1 ms where the lock was free again after 0.3, and that wait alone put most samples above 2 ms. This
 * handler looks again after about 20 µs at first (more, as the wait grows: a lock held for long is
 * usually a bulk write), so either side gets the lock soon after the other releases it.
 *
 * <p>One instance per connection (the wait's start is per connection; a JDBC connection is used by one
 * thread at a time). Installing it replaces the connection's {@code busy_timeout}.
 */
public final class ShortBusyWait extends BusyHandler {
    private final long timeoutNanos;
    private long startNanos;
    private volatile long waits;

    private ShortBusyWait(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    /**
     * Installs a short busy wait on {@code connection}, an sqlite-jdbc connection (or a wrapper of one).
     *
     * @param connection the connection to install on; it keeps the handler until it is closed
     * @param timeout how long in total one statement waits for a lock before it fails with {@code SQLITE_BUSY};
     *        not negative
     * @return the installed handler, which counts the waits
     * @throws SQLException when the connection cannot be unwrapped
     * @throws PocketSyncException {@code INTERNAL} when the connection is not SQLite's; {@code CONFIG_INVALID}
     *         when {@code timeout} is negative
     */
    public static ShortBusyWait install(Connection connection, Duration timeout) throws SQLException {
        if (timeout.isNegative()) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "busy timeout is negative: " + timeout);
        }
        if (!connection.isWrapperFor(org.sqlite.SQLiteConnection.class)) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "not an SQLite connection: " + connection.getClass().getName());
        }
        ShortBusyWait handler = new ShortBusyWait(timeout);
        BusyHandler.setHandler(connection.unwrap(org.sqlite.SQLiteConnection.class), handler);
        return handler;
    }

    /**
     * How many times this connection has waited for a lock so far (for tests and diagnostics).
     *
     * @return the number of busy callbacks so far
     */
    public long waits() {
        return waits;
    }

    @Override
    protected int callback(int attempts) {
        long now = System.nanoTime();
        if (attempts == 0) {
            startNanos = now;
        }
        long waited = now - startNanos;
        if (waited >= timeoutNanos) {
            return 0; // give up: the statement fails with SQLITE_BUSY
        }
        waits++;
        LockSupport.parkNanos(Math.min(pause(waited), timeoutNanos - waited));
        return 1;
    }

    /** 20 µs while the wait is short, then longer steps so that a long wait does not spin. */
    private static long pause(long waitedNanos) {
        if (waitedNanos < TimeUnit.MILLISECONDS.toNanos(2)) {
            return TimeUnit.MICROSECONDS.toNanos(20);
        }
        if (waitedNanos < TimeUnit.MILLISECONDS.toNanos(50)) {
            return TimeUnit.MICROSECONDS.toNanos(200);
        }
        return TimeUnit.MILLISECONDS.toNanos(2);
    }
}
