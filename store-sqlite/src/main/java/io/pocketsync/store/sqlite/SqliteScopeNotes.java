package io.pocketsync.store.sqlite;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ScopeNotes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The operators' notes ({@link ScopeNotes}) in table {@code ps_scope_notes}, one row per scope and name. Writes take the
 * store's write lock and connection, one transaction per call ({@code synchronous} as configured, so a returned write is
 * as durable as a batch); reads use the store's read connections. A table of its own that older versions of the store
 * ignore: the layout version does not change.
 *
 * <p>Thread-safe.
 */
final class SqliteScopeNotes implements ScopeNotes {
    static final String DDL = """
            CREATE TABLE IF NOT EXISTS ps_scope_notes (
              scope TEXT NOT NULL,
              name TEXT NOT NULL,
              value TEXT NOT NULL,
              PRIMARY KEY (scope, name)
            ) WITHOUT ROWID""";

    private final ReentrantLock writeLock;
    private final SqliteConnection writer;
    private final Runnable ensureOpen;
    private final Function<SqliteReaders.Action<Map<String, String>>, Map<String, String>> reads;

    SqliteScopeNotes(ReentrantLock writeLock, SqliteConnection writer, Runnable ensureOpen,
            Function<SqliteReaders.Action<Map<String, String>>, Map<String, String>> reads) {
        this.writeLock = requireNonNull(writeLock, "writeLock is null");
        this.writer = requireNonNull(writer, "writer is null");
        this.ensureOpen = requireNonNull(ensureOpen, "ensureOpen is null");
        this.reads = requireNonNull(reads, "reads is null");
    }

    static void create(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(DDL);
        }
    }

    @Override
    public Map<String, String> read(Scope scope) {
        requireNonNull(scope, "scope is null");
        return reads.apply(connection -> {
            PreparedStatement select = connection.prepared("SELECT name, value FROM ps_scope_notes WHERE scope = ?");
            select.setString(1, scope.name());
            Map<String, String> notes = new HashMap<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    notes.put(rs.getString(1), rs.getString(2));
                }
            }
            return notes;
        });
    }

    @Override
    public Map<String, String> read(Scope scope, Collection<String> names) {
        requireNonNull(scope, "scope is null");
        if (names.isEmpty()) {
            return Map.of();
        }
        return reads.apply(connection -> {
            PreparedStatement select = connection.prepared("SELECT value FROM ps_scope_notes WHERE scope = ? AND name = ?");
            Map<String, String> notes = new HashMap<>();
            for (String name : names) {
                select.setString(1, scope.name());
                select.setString(2, name);
                try (ResultSet rs = select.executeQuery()) {
                    if (rs.next()) {
                        notes.put(name, rs.getString(1));
                    }
                }
            }
            return notes;
        });
    }

    @Override
    public void write(Scope scope, Map<String, String> notes) {
        requireNonNull(scope, "scope is null");
        if (notes.isEmpty()) {
            return;
        }
        inTransaction(() -> {
            PreparedStatement upsert = writer.prepared("INSERT INTO ps_scope_notes (scope, name, value) VALUES (?, ?, ?) "
                    + "ON CONFLICT (scope, name) DO UPDATE SET value = excluded.value");
            for (Map.Entry<String, String> note : notes.entrySet()) {
                upsert.setString(1, scope.name());
                upsert.setString(2, note.getKey());
                upsert.setString(3, note.getValue());
                upsert.executeUpdate();
            }
        });
    }

    @Override
    public void remove(Scope scope, Collection<String> names) {
        requireNonNull(scope, "scope is null");
        if (names.isEmpty()) {
            return;
        }
        inTransaction(() -> {
            PreparedStatement delete = writer.prepared("DELETE FROM ps_scope_notes WHERE scope = ? AND name = ?");
            for (String name : names) {
                delete.setString(1, scope.name());
                delete.setString(2, name);
                delete.executeUpdate();
            }
        });
    }

    @FunctionalInterface
    private interface Writes {
        void run() throws SQLException;
    }

    private void inTransaction(Writes writes) {
        writeLock.lock();
        try {
            ensureOpen.run();
            writer.execute("BEGIN IMMEDIATE");
            try {
                writes.run();
                writer.execute("COMMIT");
            }
            catch (SQLException | RuntimeException e) {
                SqliteBatchTransaction.recover(writer);
                throw e;
            }
        }
        catch (SQLException e) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "SQLite store failed to write notes: " + e.getMessage(), e);
        }
        finally {
            writeLock.unlock();
        }
    }
}
