package io.pocketsync.store.sqlite;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.RowKey;
import io.pocketsync.api.store.UniqueClaims;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The unique-claim index of the SQLite store ({@link UniqueClaims}): table {@code ps_unique_claims}, one row per
 * claimed value with its holder. Read and written on the writer connection inside the batch's
 * {@code BEGIN IMMEDIATE} transaction, so two stores on one file (or two threads) see each other's claims in
 * commit order and a batch's claims commit or roll back with its rows.
 *
 * <p>The table is created beside the layout of {@link SqliteSchema} without raising its version: an older
 * PocketSync opening the file ignores it, and the claims its batches leave stale are taken over (a holder whose
 * row no longer holds the value holds nothing).
 */
final class SqliteUniqueClaims {
    private static final String DDL = """
            CREATE TABLE IF NOT EXISTS ps_unique_claims (
              scope TEXT NOT NULL,
              claim TEXT NOT NULL,
              gid TEXT NOT NULL,
              PRIMARY KEY (scope, claim)
            ) WITHOUT ROWID""";

    /** Thrown out of the plan's callbacks, which cannot throw checked exceptions. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(SQLException cause) {
            super(cause);
        }

        SQLException sql() {
            return (SQLException) getCause();
        }
    }

    /** Reads one row of the scope on the writer connection. */
    interface RowReader {
        RowState read(RowKey key) throws SQLException;
    }

    private SqliteUniqueClaims() {}

    static void create(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(DDL);
        }
    }

    /** The claim index as the open transaction sees it. */
    static UniqueClaims.Holders holders(SqliteConnection writer, Scope scope) {
        return claim -> {
            try {
                PreparedStatement select = writer.prepared("SELECT gid FROM ps_unique_claims WHERE scope = ? AND claim = ?");
                select.setString(1, scope.name());
                select.setString(2, claim.key());
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
            catch (SQLException e) {
                throw new Failure(e);
            }
        };
    }

    /**
     * The row loader of a plan: the batch's rows from {@code stored} (absent when {@code stored} has none, as the
     * optimistic path assumes), any other row (a claim's holder) read from the file.
     */
    static Function<RowKey, RowState> rows(List<Change> changes, Map<RowKey, RowState> stored, RowReader reader) {
        if (changes.stream().allMatch(change -> change.uniqueKeys().isEmpty())) {
            // without unique keys the plan asks only for the batch's own rows (UniqueClaims#claim): no set of them built
            return stored::get;
        }
        Set<RowKey> batch = new HashSet<>();
        for (Change change : changes) {
            batch.add(RowKey.of(change));
        }
        return key -> {
            if (batch.contains(key)) {
                return stored.get(key);
            }
            try {
                return reader.read(key);
            }
            catch (SQLException e) {
                throw new Failure(e);
            }
        };
    }

    static void write(SqliteConnection writer, Scope scope, List<UniqueClaims.Write> writes) throws SQLException {
        if (writes.isEmpty()) {
            return;
        }
        PreparedStatement upsert = writer.prepared("INSERT INTO ps_unique_claims (scope, claim, gid) VALUES (?, ?, ?)"
                + " ON CONFLICT (scope, claim) DO UPDATE SET gid = excluded.gid");
        PreparedStatement delete = writer.prepared("DELETE FROM ps_unique_claims WHERE scope = ? AND claim = ?");
        for (UniqueClaims.Write write : writes) {
            PreparedStatement statement = write.holder() == null ? delete : upsert;
            statement.setString(1, scope.name());
            statement.setString(2, write.claim().key());
            if (write.holder() != null) {
                statement.setString(3, write.holder());
            }
            statement.executeUpdate();
        }
    }
}
