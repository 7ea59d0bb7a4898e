package io.pocketsync.store.sqlite;

import java.nio.file.Path;
import java.sql.SQLException;
import org.sqlite.SQLiteException;

/**
 * Says in an operator's words why SQLite could not write, for log lines, {@code /health/ready} and the error a device
 * gets. Stateless.
 */
final class SqliteFaults {
    private static final int READONLY = 8;
    private static final int IOERR = 10;
    private static final int CORRUPT = 11;
    private static final int FULL = 13;
    private static final int CANTOPEN = 14;
    private static final int BUSY = 5;
    private static final int NOTADB = 26;

    private SqliteFaults() {}

    /**
     * Why a write failed.
     *
     * @param e what SQLite said
     * @param file the store file
     * @return the code and what it means, e.g. "SQLITE_FULL: the filesystem holding /data/ps.db is full"
     */
    static String describe(SQLException e, Path file) {
        String where = file.toAbsolutePath().toString();
        return switch (primaryCode(e)) {
            case FULL -> "SQLITE_FULL: the filesystem holding " + where + " is full; writes resume once space is freed";
            case READONLY -> "SQLITE_READONLY: " + where + " cannot be written (a read-only file, directory or filesystem)";
            case IOERR -> "SQLITE_IOERR: an I/O error on " + where + " (" + detail(e) + ")";
            case CANTOPEN -> "SQLITE_CANTOPEN: " + where + " or its -wal/-shm file cannot be opened";
            case BUSY -> "SQLITE_BUSY: another process holds the write lock of " + where;
            case CORRUPT, NOTADB -> "SQLITE_CORRUPT: " + where + " is damaged (" + detail(e) + ")";
            default -> detail(e);
        };
    }

    /**
     * Why a write failed, short and without the file's path: for the error a device gets.
     *
     * @param e what SQLite said
     * @return e.g. "SQLITE_FULL (the server's disk is full)"
     */
    static String reason(SQLException e) {
        return switch (primaryCode(e)) {
            case FULL -> "SQLITE_FULL (the server's disk is full)";
            case READONLY -> "SQLITE_READONLY (the store file is read-only)";
            case IOERR -> "SQLITE_IOERR (an I/O error on the store file)";
            case CANTOPEN -> "SQLITE_CANTOPEN (the store file cannot be opened)";
            case BUSY -> "SQLITE_BUSY (another process holds the store's write lock)";
            case CORRUPT, NOTADB -> "SQLITE_CORRUPT (the store file is damaged)";
            default -> detail(e);
        };
    }

    /** Whether {@code e} is SQLITE_FULL. */
    static boolean full(SQLException e) {
        return primaryCode(e) == FULL;
    }

    private static int primaryCode(SQLException e) {
        return e instanceof SQLiteException sqlite ? sqlite.getResultCode().code & 0xff : -1;
    }

    private static String detail(SQLException e) {
        return String.valueOf(e.getMessage());
    }
}
