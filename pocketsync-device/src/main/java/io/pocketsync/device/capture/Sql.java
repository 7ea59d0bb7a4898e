package io.pocketsync.device.capture;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

/** Small JDBC helpers for the capture connection. */
final class Sql {
    private static final Logger LOG = LoggerFactory.getLogger(Sql.class);

    private Sql() {}

    /** Work inside a transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws SQLException;
    }

    /**
     * Prepares a connection for the engine: the journal mode as {@code journalMode} says, {@code synchronous=NORMAL} in
     * WAL ({@code FULL} otherwise), a {@link ShortBusyWait} of {@code busyTimeout}, IMMEDIATE transactions, no FK
     * enforcement.
     *
     * @return whether the file is in WAL mode
     */
    static boolean configure(Connection connection, Duration busyTimeout, JournalMode journalMode) throws SQLException {
        int busyTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis());
        boolean wal;
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout = " + busyTimeoutMillis);
            wal = journalMode.apply(connection);
            // This connection writes only what the server can give again: remote applies (the cursor moves in the
            // same transaction, so a lost apply is pulled again), ACK marks (a lost one re-sends the change, answered
            // DUPLICATE) and sync state. In WAL mode NORMAL never corrupts, it only may lose the last commits on
            // power loss, and saves an fsync per apply; with a rollback journal NORMAL could corrupt the file on power
            // loss, so FULL. The app's own connections keep the app's setting.
            statement.execute("PRAGMA synchronous = " + (wal ? "NORMAL" : "FULL"));
            // Remote pages arrive in server order, which need not respect foreign keys page by page; RowWriter keeps
            // them itself, holding a row until its parent is here (see HeldRows), so SQLite's checks stay off.
            statement.execute("PRAGMA foreign_keys = OFF");
        }
        if (connection.isWrapperFor(SQLiteConnection.class)) {
            // Writers take the lock at BEGIN, so a busy database waits (below) instead of failing mid-transaction.
            SQLiteConnection sqlite = connection.unwrap(SQLiteConnection.class);
            sqlite.getConnectionConfig().setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            sqlite.setCurrentTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            // sqlite-jdbc otherwise matches every INSERT against a regex and prepares and runs
            // "SELECT last_insert_rowid()" after it: a quarter of the applier's SQLite time. The engine never asks.
            sqlite.getConnectionConfig().setGetGeneratedKeys(false);
            // replaces the busy_timeout above (kept for a connection that is not SQLite's own), which sleeps a whole
            // millisecond before it looks again
            ShortBusyWait.install(connection, busyTimeout);
        }
        connection.setAutoCommit(true);
        return wal;
    }

    /**
     * Runs {@code work} in one write transaction ({@code BEGIN IMMEDIATE}, see {@link #configure}) and commits it.
     *
     * <p>sqlite-jdbc's own transaction calls are used with care: {@code setAutoCommit(false)} sets its flag before it
     * runs BEGIN, so a BEGIN that failed (the database busy) left the flag saying "in a transaction" with none open, and
     * the next transaction then ran its statements one by one and failed at COMMIT with "cannot commit - no transaction
     * is active"; and {@code commit()} begins the next transaction at once, taking the write lock again for nothing. So
     * a failed BEGIN puts the flag back, COMMIT is {@code setAutoCommit(true)}, and ROLLBACK is a statement of its own.
     *
     * @throws DatabaseBusyException when another connection held the write lock for the whole busy timeout; nothing
     *         was written
     * @throws PocketSyncException {@code INTERNAL} when SQLite failed otherwise; nothing was written
     */
    static <T> T inTransaction(Connection connection, Work<T> work) {
        try {
            connection.setAutoCommit(false); // BEGIN IMMEDIATE
        }
        catch (SQLException e) {
            autoCommitFlag(connection);
            throw failure("cannot start a write transaction", e);
        }
        T result;
        try {
            result = work.run();
        }
        catch (SQLException e) {
            rollback(connection, e);
            throw failure("database transaction failed", e);
        }
        catch (RuntimeException | Error e) {
            rollback(connection, e);
            throw e;
        }
        try {
            connection.setAutoCommit(true); // COMMIT, and nothing begun after it
        }
        catch (SQLException e) {
            // the flag is back already; a COMMIT that failed (readers holding a rollback journal, a full disk) may
            // have left the transaction open
            rollback(connection, e);
            throw failure("database transaction failed", e);
        }
        return result;
    }

    /**
     * Runs {@code work}, which only reads, in one read transaction ({@code BEGIN DEFERRED}), so that its statements
     * see one snapshot. In WAL mode a read transaction holds no lock that other connections' writes wait for: hashing
     * a million rows for a checksum comparison takes seconds, and inside {@link #inTransaction} the app's writes waited
     * for all of it. sqlite-jdbc's auto-commit flag stays set (nothing here is a JDBC transaction).
     *
     * @throws PocketSyncException {@code INTERNAL} when SQLite failed
     */
    static <T> T inReadTransaction(Connection connection, Work<T> work) {
        try {
            execute(connection, "BEGIN DEFERRED");
        }
        catch (SQLException e) {
            throw failure("cannot start a read transaction", e);
        }
        T result;
        try {
            result = work.run();
        }
        catch (SQLException e) {
            endRead(connection, e);
            throw failure("database read failed", e);
        }
        catch (RuntimeException | Error e) {
            endRead(connection, e);
            throw e;
        }
        endRead(connection, null);
        return result;
    }

    /** Ends a read transaction; a failure to end one that read nothing wrong is thrown, else added to {@code cause}. */
    private static void endRead(Connection connection, @Nullable Throwable cause) {
        try {
            execute(connection, "COMMIT");
        }
        catch (SQLException e) {
            if (cause != null) {
                cause.addSuppressed(e);
                return;
            }
            throw failure("cannot end a read transaction", e);
        }
    }

    /** Rolls back what may be open and puts the auto-commit flag back; a rollback failure is added to {@code cause}. */
    private static void rollback(Connection connection, Throwable cause) {
        try (Statement statement = connection.createStatement()) {
            statement.execute("ROLLBACK");
        }
        catch (SQLException e) {
            if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
                cause.addSuppressed(e);
            }
        }
        autoCommitFlag(connection);
    }

    /** Sets sqlite-jdbc's auto-commit flag back without running the COMMIT {@code setAutoCommit(true)} would run. */
    private static void autoCommitFlag(Connection connection) {
        try {
            if (connection.isWrapperFor(SQLiteConnection.class)) {
                connection.unwrap(SQLiteConnection.class).getConnectionConfig().setAutoCommit(true);
            }
            else {
                connection.setAutoCommit(true);
            }
        }
        catch (SQLException e) {
            // not SQLite's connection, and its COMMIT found no transaction: the flag is what matters, and it is set
        }
    }

    /** Closes {@code connection} if there is one; a failure is logged at DEBUG naming {@code what}, not thrown. */
    static void closeQuietly(@Nullable Connection connection, String what) {
        if (connection != null) {
            try {
                connection.close();
            }
            catch (SQLException e) {
                LOG.debug("closing {} failed", what, e);
            }
        }
    }

    static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    static long queryLong(Connection connection, String sql, Object... args) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, args);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    static @org.jspecify.annotations.Nullable String queryString(Connection connection, String sql, Object... args)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, args);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    static int update(Connection connection, String sql, Object... args) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, args);
            return statement.executeUpdate();
        }
    }

    static void bind(PreparedStatement statement, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            setValue(statement, i + 1, args[i]);
        }
    }

    /** Whether {@link #setValue} binds {@code value}: null, Long, Integer, Double, String or byte[]. */
    static boolean isValue(Object value) {
        return value == null || value instanceof Long || value instanceof Integer || value instanceof Double
                || value instanceof String || value instanceof byte[];
    }

    /** Binds a SQLite value (see {@link #isValue}); anything else is refused as an invalid change. */
    static void setValue(PreparedStatement statement, int index, Object value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.NULL);
        }
        else if (value instanceof Long || value instanceof Integer) {
            statement.setLong(index, ((Number) value).longValue());
        }
        else if (value instanceof Double) {
            statement.setDouble(index, (Double) value);
        }
        else if (value instanceof String) {
            statement.setString(index, (String) value);
        }
        else if (value instanceof byte[]) {
            statement.setBytes(index, (byte[]) value);
        }
        else {
            throw new PocketSyncException(ErrorCode.INVALID_CHANGE, "not a SQLite value: " + value.getClass().getName());
        }
    }

    /** {@code e} as the engine reports it: a {@link DatabaseBusyException} when the database was busy, else INTERNAL. */
    static PocketSyncException failure(String what, SQLException e) {
        if (DatabaseBusyException.isBusy(e)) {
            return new DatabaseBusyException(what, e);
        }
        return new PocketSyncException(ErrorCode.INTERNAL, what + ": " + e.getMessage(), e);
    }

    /** An SQL string literal. */
    static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
