package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server sequences of acknowledged bulk pages ({@code __pocketsync_bulk_seq}): one record per page instead of one
 * per row. A page's applied rows took consecutive sequences {@code [from, to]} in one store commit, so no other state
 * of any of its rows lies within them: for a row of the page's rowid range, {@code to} stands for the state the row
 * holds, exactly as a per-row record would (a state at or below it is the row's own or older; a later one is after
 * it). {@link RowSequences} takes the larger of the two when a row has both. Not thread-safe (the capture is
 * synchronized).
 */
final class BulkRanges {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StatementCache statements;

    BulkRanges(StatementCache statements) {
        this.statements = requireNonNull(statements, "statements is null");
    }

    /** Records that the rows of {@code table} with a rowid in {@code [fromRowid, toRowid]} were stored at sequences {@code [fromSeq, toSeq]}. */
    void record(String table, long fromRowid, long toRowid, long fromSeq, long toSeq) throws SQLException {
        statements.update("INSERT OR REPLACE INTO " + SystemTables.BULK_SEQ + " (tbl, to_rowid, from_rowid, from_seq, to_seq)"
                + " VALUES (?, ?, ?, ?, ?)", table, toRowid, fromRowid, fromSeq, toSeq);
    }

    /** Whether any range is recorded (cheap). */
    boolean any() throws SQLException {
        return statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.BULK_SEQ + ")") != 0;
    }

    /** The range sequence of each of {@code rows} that lies in a recorded range; one query per table with ranges. */
    Map<RowKey, Long> of(Collection<RowKey> rows) throws SQLException {
        Map<RowKey, Long> out = new HashMap<>();
        if (rows.isEmpty() || !any()) {
            return out;
        }
        for (Map.Entry<String, List<String>> table : byTable(rows).entrySet()) {
            if (statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.BULK_SEQ + " WHERE tbl = ?)", table.getKey()) == 0) {
                continue;
            }
            String name = quoteSql(table.getKey());
            PreparedStatement read = statements.get("SELECT t." + SystemTables.GLOBAL_ID + ", (SELECT b.to_seq FROM "
                    + SystemTables.BULK_SEQ + " b WHERE b.tbl = ? AND b.to_rowid >= t.rowid AND b.from_rowid <= t.rowid"
                    + " ORDER BY b.to_rowid LIMIT 1) FROM " + name + " t WHERE t." + SystemTables.GLOBAL_ID
                    + " IN (SELECT value FROM json_each(?))");
            Sql.bind(read, table.getKey(), json(table.getValue()));
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    long sequence = rs.getLong(2);
                    if (sequence > 0) {
                        out.put(new RowKey(table.getKey(), rs.getString(1)), sequence);
                    }
                }
            }
        }
        return out;
    }

    /** The lowest first sequence of a range that ends above {@code cursor}, 0 when none does (PULL {@code own}). */
    long ownFrom(long cursor) throws SQLException {
        return statements.queryLong("SELECT coalesce(min(from_seq), 0) FROM " + SystemTables.BULK_SEQ + " WHERE to_seq > ? AND "
                + ScopeStates.NOT_OTHERS, cursor);
    }

    /** Forgets the ranges at or below {@code upTo}; called where row sequences are forgotten, under the same conditions. */
    void forgetUpTo(long upTo) throws SQLException {
        statements.update("DELETE FROM " + SystemTables.BULK_SEQ + " WHERE to_seq <= ? AND " + ScopeStates.NOT_OTHERS, upTo);
    }

    /** Forgets every range: they belong to one history of one scope. */
    void forgetAll() throws SQLException {
        statements.update("DELETE FROM " + SystemTables.BULK_SEQ + " WHERE " + ScopeStates.NOT_OTHERS);
    }

    /** The row ids of {@code rows}, per table. */
    static Map<String, List<String>> byTable(Collection<RowKey> rows) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (RowKey row : rows) {
            out.computeIfAbsent(row.table(), t -> new ArrayList<>()).add(row.globalId());
        }
        return out;
    }

    /** A JSON array of strings, for {@code json_each}. */
    static String json(List<String> values) {
        try {
            return JSON.writeValueAsString(values);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("strings always serialize", e);
        }
    }
}
