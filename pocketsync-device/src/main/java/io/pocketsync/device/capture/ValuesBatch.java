package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One statement run for many rows at once: {@code head VALUES (?, ..), (?, ..) tail}, with up to
 * {@link #maxRows} rows per execution. Entering SQLite once per row cost more than the row's own write: on a
 * bare five-column table, one JDBC {@code executeUpdate} per row ran 130k upserts/s, a JDBC batch 300-400k
 * and multi-row {@code VALUES} 450-550k.
 *
 * <p>A statement is atomic, so a chunk that fails wrote nothing. When it fails on a constraint, its rows
 * are run again one by one, so that a single bad row is reported (to the {@link RowFailure}) and the
 * others are written. Other errors propagate. Rows run in the order they were added (or {@link #inOrder}); a head such as
 * {@code DELETE FROM t WHERE k IN (} with tail {@code )} works as well as an INSERT.
 *
 * <p>Chunk sizes are powers of two (a remainder runs as 32 + 16 + ... rows), so at most eight statements
 * per shape are prepared and kept in the {@link StatementCache}.
 */
final class ValuesBatch {
    /** Called for a row that its own statement refused with a constraint error; the row was not written. */
    @FunctionalInterface
    interface RowFailure {
        void refused(int index, SQLException e) throws SQLException;
    }

    /** SQLite's default limit is 32766 bound parameters per statement. */
    private static final int MAX_PARAMETERS = 32_000;
    private static final int MAX_ROWS = 64;
    private static final int SQLITE_CONSTRAINT = 19;

    private final StatementCache statements;
    private final String head;
    private final String tail;
    private final int width;
    private final int maxRows;
    private final String[] sqlByPower = new String[Integer.numberOfTrailingZeros(MAX_ROWS) + 1];
    private final List<Object[]> rows = new ArrayList<>();
    /** The order rows are written in when not the order they were added (see {@link #inOrder}); null otherwise. */
    private @Nullable Comparator<Object[]> order;

    /**
     * @param head the SQL before {@code VALUES}
     * @param width the number of values of one row
     * @param tail the SQL after the last row (an upsert clause, or empty)
     */
    ValuesBatch(StatementCache statements, String head, int width, String tail) {
        if (width < 1) {
            throw new IllegalArgumentException("width must be positive: " + width);
        }
        this.statements = requireNonNull(statements, "statements is null");
        this.head = requireNonNull(head, "head is null");
        this.tail = requireNonNull(tail, "tail is null");
        this.width = width;
        this.maxRows = Integer.highestOneBit(Math.max(1, Math.min(MAX_ROWS, MAX_PARAMETERS / width)));
    }

    /**
     * Writes each flush's rows in {@code order} rather than as added, for rows whose writes commute (upserts of distinct
     * or max-merged keys): rows with random keys, such as natural ids, written in key order walk an index from page to
     * page instead of jumping about it. A {@link RowFailure}'s index is then the row's place in that order.
     *
     * @return this batch
     */
    ValuesBatch inOrder(Comparator<Object[]> order) {
        this.order = requireNonNull(order, "order is null");
        return this;
    }

    /** Queues one row; {@code values} are SQLite values (see {@link Sql#setValue}), {@code width} of them. */
    void add(Object... values) {
        if (values.length != width) {
            throw new IllegalArgumentException("expected " + width + " values, got " + values.length);
        }
        rows.add(values);
    }

    int size() {
        return rows.size();
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** Runs the queued rows in order and empties the queue; a constraint error propagates. */
    void flush() throws SQLException {
        flush((index, e) -> {
            throw e;
        });
    }

    /** Runs the queued rows in order and empties the queue; rows refused by a constraint go to {@code failure}. */
    void flush(RowFailure failure) throws SQLException {
        try {
            if (order != null) {
                rows.sort(order);
            }
            int start = 0;
            while (start < rows.size()) {
                int count = Math.min(maxRows, Integer.highestOneBit(rows.size() - start));
                run(start, count, failure);
                start += count;
            }
        }
        finally {
            rows.clear();
        }
    }

    private void run(int start, int count, RowFailure failure) throws SQLException {
        try {
            execute(start, count);
        }
        catch (SQLException e) {
            if (e.getErrorCode() != SQLITE_CONSTRAINT) {
                throw e;
            }
            if (count == 1) {
                failure.refused(start, e);
                return;
            }
            // the chunk wrote nothing: find the refused rows by running each on its own
            for (int i = start; i < start + count; i++) {
                run(i, 1, failure);
            }
        }
    }

    private void execute(int start, int count) throws SQLException {
        PreparedStatement statement = statements.get(sql(count));
        int index = 1;
        for (int row = start; row < start + count; row++) {
            for (Object value : rows.get(row)) {
                Sql.setValue(statement, index++, value);
            }
        }
        statement.executeUpdate();
    }

    private String sql(int count) {
        int power = Integer.numberOfTrailingZeros(count);
        String sql = sqlByPower[power];
        if (sql == null) {
            String tuple = "(" + "?, ".repeat(width - 1) + "?)";
            StringBuilder builder = new StringBuilder(head).append(" VALUES ").append(tuple);
            for (int i = 1; i < count; i++) {
                builder.append(", ").append(tuple);
            }
            sql = builder.append(tail.isEmpty() ? "" : " ").append(tail).toString();
            sqlByPower[power] = sql;
        }
        return sql;
    }
}
