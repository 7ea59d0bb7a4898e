package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remote states kept aside for rows with a local change pending ({@code __pocketsync_deferred}, see
 * {@link SystemTables}): at most one per row, the one with the latest server sequence. Not thread-safe (the
 * capture is synchronized).
 */
final class DeferredChanges {
    private static final Logger LOG = LoggerFactory.getLogger(DeferredChanges.class);

    private final StatementCache statements;

    DeferredChanges(StatementCache statements) {
        this.statements = requireNonNull(statements, "statements is null");
    }

    /** Keeps {@code change}, the state the server holds at {@code sequence}, unless a later one is kept for its row. */
    void defer(Change change, long sequence) throws SQLException {
        statements.update("INSERT INTO " + SystemTables.DEFERRED + " (tbl, gid, seq, change_id, op, row_json, hlc, device)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tbl, gid) DO UPDATE SET seq = excluded.seq,"
                + " change_id = excluded.change_id, op = excluded.op, row_json = excluded.row_json, hlc = excluded.hlc,"
                + " device = excluded.device WHERE excluded.seq > seq",
                change.table(), change.globalId(), sequence, change.changeId(), change.op().name(), RowImages.toJson(change.row()),
                change.hlc().value(), change.deviceId());
    }

    /** Whether anything is kept aside (cheap: normally nothing is). */
    boolean any() throws SQLException {
        return statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.DEFERRED + ")") != 0;
    }

    /**
     * The change kept aside for {@code row} once the row's local changes are all decided, when the server
     * sequenced it after the state the row holds now (and records its sequence as held); null otherwise. The
     * entry is removed either way once nothing is pending.
     */
    @Nullable Change takeIfSettled(RowKey row, RowSequences sequences) throws SQLException {
        Change deferred;
        long sequence;
        PreparedStatement find = statements.get("SELECT seq, change_id, op, row_json, hlc, device FROM "
                + SystemTables.DEFERRED + " WHERE tbl = ? AND gid = ?");
        find.setString(1, row.table());
        find.setString(2, row.globalId());
        try (ResultSet rs = find.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            sequence = rs.getLong(1);
            deferred = new Change(rs.getString(2), row.table(), row.globalId(), Op.valueOf(rs.getString(3)),
                    RowImages.parse(rs.getString(4)), List.of(), new Hlc(rs.getLong(5)), rs.getString(6));
        }
        if (statements.queryLong("SELECT count(*) FROM " + SystemTables.CHANGES + " WHERE state = 'pending' AND tbl = ? AND gid = ?",
                row.table(), row.globalId()) > 0) {
            return null;
        }
        statements.update("DELETE FROM " + SystemTables.DEFERRED + " WHERE tbl = ? AND gid = ?", row.table(), row.globalId());
        if (sequence <= sequences.of(row)) {
            return null;
        }
        sequences.record(row, sequence);
        LOG.debug("applying deferred remote change {} of row {}: the server ordered it after the local change",
                RowWriter.shorten(deferred.changeId()), RowWriter.shorten(row.globalId()));
        return deferred;
    }

    /** Forgets everything kept aside: it belongs to one history of one scope. */
    void forgetAll() throws SQLException {
        statements.update("DELETE FROM " + SystemTables.DEFERRED + " WHERE " + ScopeStates.NOT_OTHERS);
    }
}
