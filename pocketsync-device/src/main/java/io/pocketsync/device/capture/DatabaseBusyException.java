package io.pocketsync.device.capture;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.sql.SQLException;
import org.sqlite.SQLiteException;

/**
 * Another connection held the device database's write lock for the whole busy timeout (the app's long write
 * transaction, a {@code sqlite3} shell inside {@code BEGIN IMMEDIATE}): nothing was written, and the engine tries again
 * later. Expected contention, not a failure: the engine logs it at DEBUG, and once at WARN if the database stays locked
 * (see docs/operations.md, "Busy device databases"). Code {@link ErrorCode#TIMEOUT}.
 */
public final class DatabaseBusyException extends PocketSyncException {
    private static final long serialVersionUID = 1L;
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;

    /**
     * An exception for a write that found the database locked.
     *
     * @param what what could not be done ("cannot start a write transaction")
     * @param cause SQLite's {@code SQLITE_BUSY} or {@code SQLITE_LOCKED}
     */
    public DatabaseBusyException(String what, SQLException cause) {
        super(ErrorCode.TIMEOUT, what + ": the device database is locked by another connection (" + cause.getMessage() + ")",
                cause);
    }

    /**
     * Whether SQLite said the database is busy or locked.
     *
     * @param e what SQLite threw
     * @return true for {@code SQLITE_BUSY} and {@code SQLITE_LOCKED} (extended codes included)
     */
    static boolean isBusy(SQLException e) {
        int code = e instanceof SQLiteException sqlite ? sqlite.getResultCode().code & 0xff : e.getErrorCode() & 0xff;
        return code == SQLITE_BUSY || code == SQLITE_LOCKED;
    }
}
