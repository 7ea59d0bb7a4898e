package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rows whose pending local changes a remote state overwrote ({@code __pocketsync_overwritten}, see {@link SystemTables}):
 * the remote change was after them by version, so the device wrote it over its own edit, expecting the server to
 * supersede that edit. It usually does. But a pending change's stamp can still move: the clock offset measured at the
 * next WELCOME, or a {@code CLOCK_SKEW} refusal, restamps it ({@link ClockCorrection}), possibly after the remote
 * change it lost to, and then the server stores it over that change and acknowledges it {@code APPLIED} with no winner,
 * while the row here still holds the remote state. Such an acknowledged change is written back to its row
 * ({@link #writeBack}): the server's state is its image. Normally empty. Not thread-safe (the capture is synchronized).
 */
final class OverwrittenChanges {
    private static final Logger LOG = LoggerFactory.getLogger(OverwrittenChanges.class);

    private final StatementCache statements;

    OverwrittenChanges(StatementCache statements) {
        this.statements = requireNonNull(statements, "statements is null");
    }

    /** A remote state was written over {@code row}, whose newest pending local change is {@code pendingSeq}. */
    void overwrote(RowKey row, long pendingSeq) throws SQLException {
        statements.update("INSERT INTO " + SystemTables.OVERWRITTEN + " (tbl, gid, seq) VALUES (?, ?, ?)"
                + " ON CONFLICT (tbl, gid) DO UPDATE SET seq = max(seq, excluded.seq)", row.table(), row.globalId(), pendingSeq);
    }

    /** Whether any row is marked (cheap: normally none is). */
    boolean any() throws SQLException {
        return statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.OVERWRITTEN + ")") != 0;
    }

    /**
     * The local change {@code changeSeq} of {@code row} as the row's whole state, when the server acknowledged it as
     * the row's newest state (no winner) although a remote state was written over it here, and no later local change
     * of the row is pending (that one holds the row and decides it with its own ACK); null otherwise.
     */
    @Nullable Change writeBack(RowKey row, long changeSeq) throws SQLException {
        if (statements.queryLong("SELECT count(*) FROM " + SystemTables.OVERWRITTEN + " WHERE tbl = ? AND gid = ? AND seq >= ?",
                row.table(), row.globalId(), changeSeq) == 0
                || statements.queryLong("SELECT count(*) FROM " + SystemTables.CHANGES + " WHERE state = 'pending' AND seq > ?"
                        + " AND tbl = ? AND gid = ?", changeSeq, row.table(), row.globalId()) > 0) {
            return null;
        }
        PreparedStatement read = statements.get("SELECT change_id, op, row_json, hlc FROM " + SystemTables.CHANGES + " WHERE seq = ?");
        read.setLong(1, changeSeq);
        try (ResultSet rs = read.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            Op op = Op.valueOf(rs.getString(2));
            Map<String, Object> image = op == Op.DELETE ? Map.of() : RowImages.parse(rs.getString(3));
            LOG.debug("row {} of {}: the server stored local change {} over the remote state written here; writing it back",
                    RowWriter.shorten(row.globalId()), row.table(), RowWriter.shorten(rs.getString(1)));
            // the whole image, as a winner is written: the server completed nothing it lacks (it is this device's row)
            return new Change(rs.getString(1), row.table(), row.globalId(), op == Op.DELETE ? Op.DELETE : Op.UPDATE, image,
                    List.of(), new Hlc(rs.getLong(4)), "self");
        }
    }

    /** Forgets the mark of {@code row} once none of its local changes is pending. */
    void settle(RowKey row) throws SQLException {
        statements.update("DELETE FROM " + SystemTables.OVERWRITTEN + " WHERE tbl = ? AND gid = ? AND NOT EXISTS (SELECT 1 FROM "
                + SystemTables.CHANGES + " WHERE state = 'pending' AND tbl = ?1 AND gid = ?2)", row.table(), row.globalId());
    }

    /** Forgets every mark: they belong to one history of one scope. */
    void forgetAll() throws SQLException {
        statements.update("DELETE FROM " + SystemTables.OVERWRITTEN + " WHERE " + ScopeStates.NOT_OTHERS);
    }
}
