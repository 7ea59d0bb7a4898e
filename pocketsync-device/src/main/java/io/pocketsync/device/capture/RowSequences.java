package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per synced row, the server sequence of the state the local row holds ({@code __pocketsync_row_seq}, see
 * {@link SystemTables}). A row's sequence only grows. Not thread-safe (the capture is synchronized).
 */
final class RowSequences {
    /** Rows per batched lookup; well below SQLite's default limit of 32766 parameters. */
    static final int LOOKUP_CHUNK = 500;

    /**
     * The table's key order: an ACK's rows are written in it (upserts of max commute). Natural ids are hashes, and an ACK
     * of 1000 rows written in the ACK's order jumped about the table's B-tree.
     */
    private static final Comparator<Object[]> BY_KEY = Comparator.<Object[], String>comparing(row -> (String) row[0])
            .thenComparing(row -> (String) row[1]);

    private final StatementCache statements;
    private final BulkRanges ranges;

    RowSequences(StatementCache statements) {
        this.statements = requireNonNull(statements, "statements is null");
        this.ranges = new BulkRanges(statements);
    }

    /**
     * The recorded sequences of {@code rows} that have one; one query per chunk. A row of an acknowledged bulk page
     * ({@link BulkRanges}) counts its page's sequence, or its own record when that is later.
     */
    Map<RowKey, Long> of(Collection<RowKey> rows) throws SQLException {
        Map<RowKey, Long> out = ranges.of(rows);
        List<RowKey> all = new ArrayList<>(rows);
        all.sort(Comparator.comparing(RowKey::table).thenComparing(RowKey::globalId)); // the table's order, as above
        for (int start = 0; start < all.size(); start += LOOKUP_CHUNK) {
            List<RowKey> chunk = all.subList(start, Math.min(all.size(), start + LOOKUP_CHUNK));
            PreparedStatement statement = statements.get(lookupSql(chunk.size()));
            int index = 1;
            for (RowKey row : chunk) {
                statement.setString(index++, row.table());
                statement.setString(index++, row.globalId());
            }
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    out.merge(new RowKey(rs.getString(1), rs.getString(2)), rs.getLong(3), Math::max);
                }
            }
        }
        return out;
    }

    /** The recorded sequence of {@code row}, 0 when none is. */
    long of(RowKey row) throws SQLException {
        long recorded = statements.queryLong("SELECT seq FROM " + SystemTables.ROW_SEQ + " WHERE tbl = ? AND gid = ?",
                row.table(), row.globalId());
        return Math.max(recorded, ranges.of(List.of(row)).getOrDefault(row, 0L));
    }

    /** The ranges of acknowledged bulk pages, recorded and forgotten with row sequences. */
    BulkRanges ranges() {
        return ranges;
    }

    /**
     * The query {@link #of(Collection)} runs for {@code rows} rows: a join from the keys to the table's primary key.
     * The form {@code (tbl, gid) IN (VALUES ...)} read the same rows but scanned the whole table for them, on every
     * page and every ACK, and the table holds a record per row synced within the last {@code row-sequences-behind}
     * sequences.
     */
    static String lookupSql(int rows) {
        StringBuilder sql = new StringBuilder("SELECT r.tbl, r.gid, r.seq FROM (VALUES ");
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "(?, ?)" : ", (?, ?)");
        }
        return sql.append(") AS v JOIN " + SystemTables.ROW_SEQ + " r ON r.tbl = v.column1 AND r.gid = v.column2").toString();
    }

    /** Records one row's sequence at once (where later reads in the same transaction must see it). */
    void record(RowKey row, long sequence) throws SQLException {
        ValuesBatch write = recorder();
        write.add(row.table(), row.globalId(), sequence);
        write.flush();
    }

    /** A batch of (tbl, gid, seq) records, written when flushed; a recorded sequence never goes down. */
    ValuesBatch recorder() {
        return new ValuesBatch(statements, "INSERT INTO " + SystemTables.ROW_SEQ + " (tbl, gid, seq)", 3,
                "ON CONFLICT (tbl, gid) DO UPDATE SET seq = max(seq, excluded.seq)").inOrder(BY_KEY);
    }

    /**
     * Forgets the sequences at or below {@code upTo} while no local change is pending and no remote change is
     * deferred: only then can none of them decide anything (see {@link ChangeLogPruner}).
     */
    void forgetUpTo(long upTo) throws SQLException {
        if (ranges.any() && statements.queryLong("SELECT NOT EXISTS (SELECT 1 FROM " + SystemTables.CHANGES
                + " WHERE state = 'pending') AND NOT EXISTS (SELECT 1 FROM " + SystemTables.DEFERRED + ")") != 0) {
            ranges.forgetUpTo(upTo);
        }
        statements.update("DELETE FROM " + SystemTables.ROW_SEQ + " WHERE seq <= ? AND " + ScopeStates.NOT_OTHERS + " AND NOT EXISTS (SELECT 1 FROM "
                + SystemTables.CHANGES + " WHERE state = 'pending') AND NOT EXISTS (SELECT 1 FROM " + SystemTables.DEFERRED
                + ")", upTo);
    }

    /** Forgets every sequence: they belong to one history of one scope. */
    void forgetAll() throws SQLException {
        ranges.forgetAll();
        statements.update("DELETE FROM " + SystemTables.ROW_SEQ + " WHERE " + ScopeStates.NOT_OTHERS);
    }
}
