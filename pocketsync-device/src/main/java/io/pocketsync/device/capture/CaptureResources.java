package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lazily opened resources of a {@link SqliteTriggerCapture}: its one connection (and in WAL mode the
 * {@link WalCheckpointer} that copies what it commits into the file), the prepared statements, the journal sealer, the
 * remote applier and the device id. Not thread-safe: used only under the capture's lock.
 */
final class CaptureResources {
    /** Logs under the capture's name, as before this class was split out of it. */
    private static final Logger LOG = LoggerFactory.getLogger(SqliteTriggerCapture.class);

    private final DataSource dataSource;
    private final Clock clock;
    private final CaptureOptions options;
    private final LockWaits lockWaits;
    private @Nullable Connection connection;
    private @Nullable WalCheckpointer checkpointer;
    private final ScopeStates scopes = new ScopeStates();
    private @Nullable RemoteApplier applier;
    private @Nullable StatementCache statements;
    private @Nullable JournalSealer sealer;
    private @Nullable String deviceId;
    private boolean closed;

    /** The clock local changes are stamped with. */
    Clock clock() {
        return clock;
    }

    CaptureOptions options() {
        return options;
    }

    CaptureResources(DataSource dataSource, Clock clock, CaptureOptions options) {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.options = requireNonNull(options, "options is null");
        this.lockWaits = new LockWaits(options.busyTimeout());
    }

    /**
     * Runs {@code work} in a write transaction on the engine's connection ({@link Sql#inTransaction}), keeping track of
     * how long the database stays locked ({@link LockWaits}). After any other SQLite failure the prepared statements are
     * dropped: sqlite-jdbc finalizes a statement that fails with, say, SQLITE_FULL, and a kept one would then answer
     * every later use with "statement is not executing".
     */
    <T> T inTransaction(Sql.Work<T> work) {
        Connection c = connection();
        try {
            T result = Sql.inTransaction(c, work);
            lockWaits.free();
            if (checkpointer != null) {
                checkpointer.committed();
            }
            return result;
        }
        catch (DatabaseBusyException e) {
            lockWaits.busy();
            throw e;
        }
        catch (PocketSyncException e) {
            if (e.getCause() instanceof SQLException) {
                dropStatements();
            }
            throw e;
        }
    }

    /**
     * Runs {@code work}, which only reads, in a read transaction on the engine's connection ({@link
     * Sql#inReadTransaction}): one snapshot, and in WAL mode no lock the app's writes wait for. Statements are dropped
     * after a SQLite failure, as for {@link #inTransaction}.
     */
    <T> T inReadTransaction(Sql.Work<T> work) {
        try {
            return Sql.inReadTransaction(connection(), work);
        }
        catch (PocketSyncException e) {
            if (e.getCause() instanceof SQLException) {
                dropStatements();
            }
            throw e;
        }
    }

    private void dropStatements() {
        if (statements != null) {
            statements.close(); // emptied; prepares again on next use
        }
        if (applier != null) {
            applier.close();
        }
    }

    JournalSealer sealer() {
        if (sealer == null) {
            sealer = new JournalSealer(statements(), clock, deviceId());
        }
        return sealer;
    }

    /** The device state of each scope, and the active one's filter. */
    ScopeStates scopes() {
        return scopes;
    }

    /** The prepared statements of the engine's connection (shared with the sealer). */
    StatementCache statements() {
        if (statements == null) {
            statements = new StatementCache(connection());
        }
        return statements;
    }

    /** The device id read from the state table (null until installed). */
    @Nullable String deviceIdOrNull() {
        return deviceId;
    }

    /** Sets the device id read at install; a changed id drops the sealer, which stamps with it. */
    void deviceId(@Nullable String id, boolean dropSealer) {
        deviceId = id;
        if (dropSealer) {
            sealer = null;
        }
    }

    String deviceId() {
        if (deviceId == null) {
            throw new PocketSyncException(ErrorCode.SCHEMA_INVALID, "capture is not installed");
        }
        return deviceId;
    }

    RemoteApplier applier() {
        if (applier == null) {
            applier = new RemoteApplier(connection(), clock, options);
        }
        return applier;
    }

    Connection connection() {
        if (closed) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "capture is closed");
        }
        if (connection == null) {
            Connection opened = null;
            try {
                opened = dataSource.getConnection();
                boolean wal = Sql.configure(opened, options.busyTimeout(), options.journalMode());
                ScopeStates.createTemporary(opened);
                connection = opened; // only once configured: a half-configured one would be used as it is
                checkpointer = wal ? WalCheckpointer.start(opened, dataSource) : null;
            }
            catch (SQLException e) {
                Sql.closeQuietly(opened, "a connection that could not be configured");
                if (DatabaseBusyException.isBusy(e)) {
                    throw new DatabaseBusyException("cannot open the device database", e);
                }
                throw new PocketSyncException(ErrorCode.SCHEMA_INVALID, "cannot open the device database: " + e.getMessage(), e);
            }
        }
        return connection;
    }

    void close() {
        closed = true;
        if (applier != null) {
            applier.close();
            applier = null;
        }
        if (statements != null) {
            statements.close();
            statements = null;
            sealer = null;
        }
        if (checkpointer != null) {
            checkpointer.close(); // before the engine's connection, whose close may checkpoint what is left
            checkpointer = null;
        }
        if (connection != null) {
            try {
                connection.close();
            }
            catch (SQLException e) {
                LOG.debug("closing the capture connection failed", e);
            }
            connection = null;
        }
    }
}
