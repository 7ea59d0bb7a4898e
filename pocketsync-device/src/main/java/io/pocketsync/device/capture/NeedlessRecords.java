package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * Which rows of one ACK need no recorded sequence (docs/protocol.md 3.3, "Row sequences"): recording, per acknowledged
 * change, the sequence of its row's state was the largest cost of a push on the device (an upsert keyed by a digest id
 * per change, about one B-tree page each), and it protects only against an older state of the row arriving later.
 *
 * <p>The rule. A row's recorded sequence {@code S} keeps out a remote state of the row older than {@code S}. Every such
 * state is at or below {@code prev}, the sequence of the state the change replaced (the server sequences a row's states
 * one after the other; 0 when the row was new on the server). Pages and LIVE messages are applied only from the stored
 * cursor {@code C} and carry states above it. So once {@code prev <= C}, no page or LIVE the device can still apply
 * carries an older state of the row, and the record could never decide anything. Where a page may be applied from below
 * {@code C}, the comparison is made against that lower point, or the row is recorded:
 * <ul>
 *   <li>a full resync in progress: a CATCH_UP page from 0 replaces it, so the point is 0 (a SNAPSHOT page from 0 forgets
 *       every recorded sequence anyway, and the own-rows repair after it brings such rows back, protocol 3.6);</li>
 *   <li>a table catch-up in progress (protocol 3.8): its pages start at {@code join_cursor}, or at 0, so its tables'
 *       rows compare against 0;</li>
 *   <li>a row with a remote change kept aside ({@link DeferredChanges}): settling it compares its sequence with the
 *       recorded one, which must be this ACK's; recorded;</li>
 *   <li>any row marked in {@link OverwrittenChanges} (rare, normally none): every row of the ACK is recorded, as before;</li>
 *   <li>a winner (SUPERSEDED, APPLIED with a {@code winner}, DUPLICATE with one) is written and recorded by
 *       {@link AckApplier}; a result without {@code prev} (DUPLICATE, an older server) is recorded.</li>
 * </ul>
 * Reads what it needs once per ACK. Not thread-safe (the capture is synchronized).
 */
final class NeedlessRecords {
    /** Nothing skipped: every row is recorded. */
    private static final NeedlessRecords NONE = new NeedlessRecords(-1, Set.of(), Set.of());

    private final long passed;
    private final Set<String> joiningTables;
    private final Set<RowKey> deferredRows;

    private NeedlessRecords(long passed, Set<String> joiningTables, Set<RowKey> deferredRows) {
        this.passed = passed;
        this.joiningTables = joiningTables;
        this.deferredRows = deferredRows;
    }

    /**
     * The rule for one ACK, read in its transaction with the ACK's scope active.
     *
     * @param anyOverwritten whether any row is marked in {@link OverwrittenChanges}: then nothing is skipped
     */
    static NeedlessRecords of(StatementCache statements, DeferredChanges deferred, boolean anyOverwritten) throws SQLException {
        requireNonNull(statements, "statements is null");
        if (anyOverwritten) {
            return NONE;
        }
        long passed;
        try (ResultSet rs = statements.get("SELECT cursor, resync FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1").executeQuery()) {
            if (!rs.next()) {
                return NONE;
            }
            passed = rs.getLong(2) != 0 ? 0 : rs.getLong(1);
        }
        Set<String> joining = new HashSet<>();
        try (ResultSet rs = statements.get("SELECT tbl FROM " + SystemTables.JOINING).executeQuery()) {
            while (rs.next()) {
                joining.add(rs.getString(1));
            }
        }
        Set<RowKey> kept = new HashSet<>();
        if (deferred.any()) {
            PreparedStatement select = statements.get("SELECT tbl, gid FROM " + SystemTables.DEFERRED);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    kept.add(new RowKey(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return new NeedlessRecords(passed, joining, kept);
    }

    /**
     * Whether {@code result}, the answer to a change of {@code row}, needs no recorded sequence: an APPLIED result without
     * a winner whose {@code prev} the device has passed (see the class comment).
     */
    boolean skips(RowKey row, ChangeResult result) {
        if (result.status() != ChangeStatus.APPLIED || result.winner() != null || !result.previousKnown()) {
            return false;
        }
        long point = joiningTables.contains(row.table()) ? 0 : passed;
        return result.previous() <= point && !deferredRows.contains(row);
    }
}
