package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.capture.DeviceState;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Version;
import io.pocketsync.api.protocol.ChangesMode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which remote states the device takes (protocol.md 3.3 and 3.6): whether a page fits the stored cursor and
 * resync state, and for each change of a page, or each winner an ACK names, whether the row takes it, keeps it
 * aside for a pending local change, or already holds it or a later state. Decides only: the writes are
 * {@link RemoteApplier}'s and {@link AckApplier}'s.
 *
 * <p>One instance judges one page: it reads the row sequences and the pending local changes of the page's rows
 * once. Not thread-safe.
 */
final class PageAcceptance {
    /** What to do with a page, given the stored cursor and resync flag. */
    enum Admission {
        /** The page does not start at the stored cursor, or does not belong to the resync in progress. */
        REFUSED,
        /** An ordinary page at the stored cursor, or the next SNAPSHOT page of the resync in progress. */
        APPLY,
        /** The first SNAPSHOT page: a full resync (re)starts, whatever the stored cursor. */
        START_RESYNC,
        /** A CATCH_UP page from cursor 0 while resyncing: the server pruned nothing, so it replaces the resync. */
        END_RESYNC_BY_CATCH_UP
    }

    /** What to do with one remote state. */
    enum Verdict {
        /** Write it: it is after the state the row holds. */
        WRITE,
        /** Keep it aside ({@link DeferredChanges}): a pending local change of the row is later. */
        DEFER,
        /** Skip it: the row holds this state or a later one. */
        HELD
    }

    /** The newest pending local change of a row. */
    private record Pending(long seq, long hlc) {}

    private final String deviceId;
    private final Map<RowKey, Pending> pending;
    private final Map<RowKey, Long> held;

    private PageAcceptance(String deviceId, Map<RowKey, Pending> pending, Map<RowKey, Long> held) {
        this.deviceId = deviceId;
        this.pending = pending;
        this.held = held;
    }

    /**
     * Whether a page of {@code mode} from {@code fromCursor} fits a device at {@code storedCursor} (and in a full
     * resync when {@code resyncing}). A resync ends only with its last SNAPSHOT page; a LIVE or a later page
     * arriving meanwhile is refused, and the device pulls from 0 to restart it.
     */
    static Admission admit(long storedCursor, boolean resyncing, ChangesMode mode, long fromCursor) {
        if (!DeviceState.admits(storedCursor, resyncing, mode, fromCursor)) {
            return Admission.REFUSED;
        }
        if (mode == ChangesMode.SNAPSHOT && fromCursor == 0) {
            return Admission.START_RESYNC;
        }
        return resyncing && mode == ChangesMode.CATCH_UP ? Admission.END_RESYNC_BY_CATCH_UP : Admission.APPLY;
    }

    /** Reads what the page's rows hold: one scan of the pending changes, one lookup of sequences per chunk. */
    static PageAcceptance of(StatementCache statements, RowSequences sequences, String deviceId, Collection<Change> changes)
            throws SQLException {
        Set<RowKey> rows = new LinkedHashSet<>();
        for (Change change : changes) {
            rows.add(new RowKey(change.table(), change.globalId()));
        }
        Map<RowKey, Pending> pending = pendingOf(statements, rows);
        // a row of a bulk push not acknowledged yet: its bulk INSERT is pending, a page's ACK settles it (BulkRecords)
        new BulkRecords(statements).unacknowledged(rows).forEach((row, hlc) -> pending.putIfAbsent(row, new Pending(0, hlc)));
        return new PageAcceptance(requireNonNull(deviceId, "deviceId is null"), pending, sequences.of(rows));
    }

    /** The verdict on {@code change}, the server's state of its row at {@code sequence}. */
    Verdict judge(Change change, long sequence) {
        RowKey row = new RowKey(change.table(), change.globalId());
        if (held.getOrDefault(row, 0L) >= sequence) {
            return Verdict.HELD;
        }
        Pending local = pending.get(row);
        if (local != null && new Version(new Hlc(local.hlc()), deviceId).isAfter(change.version())) {
            return Verdict.DEFER;
        }
        return Verdict.WRITE;
    }

    /**
     * The newest pending local change of {@code change}'s row, or 0 when none is pending: a {@link Verdict#WRITE} of the
     * change then writes a remote state over it ({@link OverwrittenChanges}).
     */
    long pendingSeq(Change change) {
        Pending local = pending.get(new RowKey(change.table(), change.globalId()));
        return local == null ? 0 : local.seq();
    }

    /**
     * {@code change} was queued for writing: its state counts as held at once, so a repeat of the row later in the
     * page is judged against it. A write that a local constraint then refuses is parked, and so would be its repeat.
     */
    void queued(Change change, long sequence) {
        held.put(new RowKey(change.table(), change.globalId()), sequence);
    }

    /**
     * The verdict on an ACK's winner, the server's state at {@code sequence} (0: unknown) of a row that holds the
     * state at {@code held}.
     *
     * <p>A later local change of the row still pending decides the row with its own ACK: the winner is kept aside
     * like a deferred remote change rather than recorded as held, because if that ACK leaves the row without a
     * later server state (REJECTED: nothing of the edit was stored), the winner is the row. A winner older than
     * the held state is skipped; one at the held sequence is written again: the device's own (losing) change
     * overwrote its copy of that state locally.
     */
    static Verdict judgeWinner(boolean laterLocalChangePending, long sequence, long held) {
        if (laterLocalChangePending) {
            return sequence > held ? Verdict.DEFER : Verdict.HELD;
        }
        return sequence > 0 && sequence < held ? Verdict.HELD : Verdict.WRITE;
    }

    /** The newest pending local change of each of {@code rows} that has one; one scan of the pending changes. */
    private static Map<RowKey, Pending> pendingOf(StatementCache statements, Set<RowKey> rows) throws SQLException {
        Map<RowKey, Pending> out = new HashMap<>();
        if (rows.isEmpty() || statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.CHANGES
                + " WHERE state = 'pending')") == 0) {
            return out;
        }
        PreparedStatement statement = statements.get("SELECT tbl, gid, max(seq), max(hlc) FROM " + SystemTables.CHANGES
                + " WHERE state = 'pending' GROUP BY tbl, gid");
        try (ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                RowKey row = new RowKey(rs.getString(1), rs.getString(2));
                if (rows.contains(row)) {
                    out.put(row, new Pending(rs.getLong(3), rs.getLong(4)));
                }
            }
        }
        return out;
    }
}
