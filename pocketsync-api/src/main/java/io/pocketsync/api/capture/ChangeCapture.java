package io.pocketsync.api.capture;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.protocol.AppliedRange;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangesMode;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Captures local writes on a device database and applies remote changes without capturing them
 * again. Built-in: {@code sqlite-triggers}.
 *
 * <p>Lifecycle: created for one database; {@link #install} before anything else; {@link #close} last.
 * Thread-safe: the device engine calls it from its sync thread, while the app writes the database
 * from any connection or process.
 */
public interface ChangeCapture extends AutoCloseable {
    /**
     * Installs capture idempotently: system tables, {@code ps_global_id} columns and their unique
     * indexes, triggers; queues rows that existed before the first install once as INSERT changes.
     *
     * @param tables the tracked tables' names; not null, not empty
     * @throws io.pocketsync.api.PocketSyncException with {@code SCHEMA_INVALID} when a table is missing
     */
    void install(List<String> tables);

    /**
     * Regenerates triggers when a tracked table's schema changed since the last check (schema
     * fingerprint). Nothing captured before or after is lost.
     *
     * @return whether triggers were regenerated
     */
    boolean refreshSchema();

    /**
     * A number that changes whenever another connection or process commits to the database (SQLite's
     * {@code PRAGMA data_version}). Cheap; a change means "look at {@link #tableVersions()}".
     *
     * @return the current value; only its changes mean something
     */
    long changeCounter();

    /**
     * Per tracked table, a counter bumped by every captured local write ({@code __pocketsync_version}).
     * Remote changes applied by {@link #apply} do not bump it.
     *
     * @return an immutable map from table name to counter, one entry per tracked table
     */
    java.util.Map<String, Long> tableVersions();

    /**
     * Stores the scope the device syncs. When it differs from the stored one, the cursor is reset to 0
     * (a cursor belongs to one scope's sequence).
     *
     * @param scope the scope name; not null
     */
    void bindScope(String scope);

    /**
     * Up to {@code limit} pending changes after {@code afterLocalSequence}, in local order.
     *
     * @param afterLocalSequence the local sequence to start after; 0 for the first pending change
     * @param limit the most changes to return; positive
     * @return the changes, oldest first; empty when none is pending
     */
    List<LocalChange> pending(long afterLocalSequence, int limit);

    /**
     * The lowest server sequence above {@code cursor} at which this device may hold a row state it got from an
     * ACK: one of its own changes, or the winner over one ({@code cursor + 1} while a change waits for its ACK),
     * or 0 when there is none; sent in PULL so that catch-up does not hide the deletion of such a row (see
     * {@link io.pocketsync.api.protocol.Pull}).
     * The default, 0, keeps the plain catch-up rules.
     *
     * @param cursor the device's cursor
     * @return a server sequence above {@code cursor}, or 0
     */
    default long ownChangesFrom(long cursor) {
        return 0;
    }

    /**
     * Compares the server's mark of this device (WELCOME {@code own}: the highest sequence it stored from this device
     * id) with the highest sequence this device knows of its own changes. A device that knows of less lacks writes it
     * made: its file was restored from an older backup (in place, so it kept its id) or lost. It then repairs: its
     * PULLs ask for its own rows too ({@link #repairing()}) until a catch-up ends, from its cursor (which a restored
     * file has from the backup, so the writes made after it come back) or, at cursor 0, as a full resync. The
     * decision is stored, so it survives a restart. The default does nothing.
     *
     * @param deviceMark the server's mark of this device; 0 when not known
     * @return whether a repair is in progress now
     */
    default boolean repairIfBehind(long deviceMark) {
        return false;
    }

    /**
     * {@link #repairIfBehind(long)}, knowing the scope's head (WELCOME {@code head}): a mark of the device's own writes
     * above the head cannot be true (no change of the scope has that sequence), and repairing towards it would never
     * end. A capture that keeps such a mark lowers it to {@code deviceMark}, says so, and repairs as usual. The default
     * ignores the head.
     *
     * @param deviceMark the server's mark of this device; 0 when not known
     * @param headCursor the scope's latest sequence, as the server said it
     * @return whether a repair is in progress now
     */
    default boolean repairIfBehind(long deviceMark, long headCursor) {
        return repairIfBehind(deviceMark);
    }

    /**
     * Whether the device's PULLs ask for its own rows ({@link io.pocketsync.api.protocol.Pull#self()}): a repair
     * started by {@link #repairIfBehind} or {@link #resync()} is in progress.
     *
     * @return whether own rows are wanted; the default is false
     */
    default boolean repairing() {
        return false;
    }

    /**
     * The tables to subscribe to at HELLO (protocol 2, docs/protocol.md "Table subscriptions"): the server then sends
     * this device changes of these tables only. A capture that tracks a table the device never received at its current
     * cursor (the app tracks it since the last HELLO) starts a table catch-up of it here ({@link #tableCatchUp()}), so
     * that the table's current state arrives in pages of its own. Null subscribes to every table (the default).
     *
     * @return the tracked tables, or null for every table
     */
    default @Nullable List<String> subscribe() {
        return null;
    }

    /**
     * The table catch-up in progress (protocol 4, docs/protocol.md 3.8): the device pulls
     * {@code PULL {cursor, tables, self}} pages of those tables until one has {@code more=false}, and applies them with
     * {@link #applyTables}. Null when none is (the default: a capture that never starts one).
     *
     * @return the table catch-up in progress, or null
     */
    default @Nullable TableCatchUp tableCatchUp() {
        return null;
    }

    /**
     * The tables whose bulk push ({@link #bulkPage}) is not fully acknowledged yet: the server lacks part of their rows
     * until it is, so a checksum comparison leaves them out meanwhile. Empty by default (a capture without a bulk path).
     *
     * @return the tables with a bulk push under way, possibly empty
     */
    default List<String> bulkTables() {
        return List.of();
    }

    /**
     * Applies a page of the table catch-up in progress in one transaction with capture suppressed, under the usual row
     * sequence rules (see {@link #apply}), and moves that catch-up's cursor, not the main one. Nothing is done, and
     * {@link ApplyReport#NOT_ACCEPTED} returned, when no table catch-up of exactly {@code tables} is in progress or the
     * page starts neither at its cursor nor at 0 (a server that lost its history starts it again). The last page
     * ({@code lastPage}) ends it: the tables are then subscribed at the main cursor, whose LIVE and catch-up carried their
     * later changes all along.
     *
     * @param tables the page's tables; not null
     * @param changes the page's changes, in server order; not null
     * @param sequences one positive server sequence per change, index for index
     * @param fromCursor the cursor the page starts after
     * @param toCursor the table catch-up's cursor once the page is applied
     * @param lastPage whether this page ends the table catch-up
     * @return what was applied, or {@link ApplyReport#NOT_ACCEPTED}
     * @throws io.pocketsync.api.PocketSyncException with {@code INTERNAL} when the capture has no table catch-ups (the
     *         default), {@code INVALID_FIELD} when {@code sequences} is not exactly as long as {@code changes}
     */
    default ApplyReport applyTables(List<String> tables, List<Change> changes, List<Long> sequences, long fromCursor,
            long toCursor, boolean lastPage) {
        throw new io.pocketsync.api.PocketSyncException(io.pocketsync.api.ErrorCode.INTERNAL,
                getClass().getName() + " has no table catch-ups");
    }

    /**
     * Starts an explicit full resync: the cursor goes back to 0 and the device pulls the server's full state, its own
     * rows included, as a snapshot; synced local rows the server no longer has are removed at its end. Pending local
     * changes are kept and pushed afterwards. Survives a restart until done.
     *
     * @throws io.pocketsync.api.PocketSyncException with {@code INTERNAL} when the capture cannot resync (the default)
     */
    default void resync() {
        throw new io.pocketsync.api.PocketSyncException(io.pocketsync.api.ErrorCode.INTERNAL,
                getClass().getName() + " cannot resync");
    }

    /**
     * How many changes are pending, counting the rows of the bulk path not acknowledged yet ({@link #bulkPage}).
     *
     * @return the number of local changes not acknowledged yet
     */
    long pendingCount();

    /**
     * How many changes are pending or about to be, for status and progress: unlike {@link #pendingCount()} it need not
     * prepare pending changes first (a capture that queues writes before turning them into changes, such as a journal,
     * counts what is queued), so it stays cheap while a bulk write of a million rows is still being prepared.
     *
     * @return an estimate of the local changes not acknowledged yet; by default {@link #pendingCount()}
     */
    default long pendingEstimate() {
        return pendingCount();
    }

    /**
     * How many remote changes are parked: refused by a validation or a local constraint and kept with their code
     * ({@link ApplyReport#parked()}) instead of being applied.
     *
     * @return the number of parked remote changes
     */
    long parkedCount();

    /**
     * Records the server's verdicts in one transaction: APPLIED and DUPLICATE become acked; SUPERSEDED
     * applies the winner locally (unless a later local change is pending) and keeps the change as
     * superseded; REJECTED keeps the change with its code. A merged winner on APPLIED is applied too.
     * Results naming changes that are not pending (already acknowledged) are ignored. A change REJECTED with
     * {@code CLOCK_SKEW} may instead stay pending under a new change id (the server remembers the refused id), to be
     * restamped by {@link #clockOffset} and sent again; the built-in capture does so up to three times.
     *
     * @param results the verdicts of one ACK; not null
     * @return what was written locally (winning rows)
     */
    ApplyReport acknowledge(List<ChangeResult> results);

    /**
     * Applies remote changes in one transaction with capture suppressed, and advances the cursor from
     * {@code fromCursor} to {@code toCursor} in the same transaction (nothing is done, and
     * {@link ApplyReport#NOT_ACCEPTED} returned, if the stored cursor is not {@code fromCursor}; the
     * first SNAPSHOT page of a resync is also accepted from cursor 0). Bad input is parked, not thrown.
     *
     * <p>Order: each change comes with the server sequence of its row state
     * ({@link io.pocketsync.api.protocol.Changes#sequences()}). The capture records the sequence of the state each
     * local row holds and skips a change whose sequence is not after it, so changes arriving out of server order
     * (a LIVE broadcast overtaken by an ACK, duplicated MQTT messages, a page pulled twice) cannot overwrite a
     * later state. A change skipped because a pending local change of the row is later (by version) is kept
     * aside and applied once the ACK of that local change shows that the server ordered the remote change after
     * it.
     *
     * <p>SNAPSHOT pages belong to a full resync: the first one starts it (and forgets the recorded sequences:
     * the server's history may have restarted), and the page with {@code lastPage} ends it by deleting synced
     * local rows the snapshot did not contain (rows with pending local changes are kept and pushed afterwards).
     *
     * @param changes the page's changes, in server order; not null
     * @param fromCursor the cursor the page starts after; must equal the stored cursor
     * @param toCursor the cursor stored once the page is applied
     * @param mode LIVE, CATCH_UP or SNAPSHOT
     * @param lastPage whether this page ends a catch-up or a snapshot
     * @return what was applied, or {@link ApplyReport#NOT_ACCEPTED} when the cursor did not match
     * @param sequences one positive server sequence per change, index for index
     * @throws io.pocketsync.api.PocketSyncException with {@code INVALID_FIELD} when {@code sequences} is not
     *         exactly as long as {@code changes}: a change without its sequence cannot be ordered
     */
    ApplyReport apply(List<Change> changes, List<Long> sequences, long fromCursor, long toCursor, ChangesMode mode,
            boolean lastPage);

    /**
     * The persistent device state.
     *
     * @return a snapshot read now; not null once installed
     */
    DeviceState state();

    /**
     * Moves the stored device clock forward to at least {@code remote} (the server's HLC).
     *
     * @param remote the clock value seen from the server; not null
     */
    void mergeClock(Hlc remote);

    /**
     * Tells the capture how far the device's wall clock is from the server's ({@code device - server}, milliseconds,
     * measured at each WELCOME; 0 when within noise). A capture stamps local writes with the wall clock corrected by
     * it, and restamps the changes still pending, so that a device whose clock is minutes or days off neither has its
     * writes refused ({@code CLOCK_SKEW}) nor orders them far from when they happened. The default ignores it.
     *
     * @param offsetMillis the device clock minus the server clock, in milliseconds
     */
    default void clockOffset(long offsetMillis) {}

    /**
     * The checksums of the synced rows of every tracked table (docs/protocol.md 4.1), read together with the cursor
     * ({@link io.pocketsync.api.checksum.ScopeChecksums#sequence()}): only a server answer at the same sequence can be
     * compared with them. Rows with unsettled changes count like any other (see {@link #unsettledRows}).
     * A table with a bulk push under way ({@link #bulkTables}) may be left out: it is not compared until its push is
     * acknowledged, and summing its rows meanwhile would be wasted (seconds for a million rows).
     * The default, null, means the capture cannot compute them, and the device does not verify.
     *
     * @return the checksums at the cursor, or null when not supported
     */
    default io.pocketsync.api.checksum.@org.jspecify.annotations.Nullable ScopeChecksums checksums() {
        return null;
    }

    /**
     * The row hash of every synced row of {@code table} whose global id is in one of {@code buckets}.
     *
     * @param table a tracked table
     * @param buckets the buckets
     * @return the hashes by global id
     * @throws UnsupportedOperationException when {@link #checksums()} is not supported
     */
    default java.util.Map<String, Long> rowHashes(String table, java.util.Set<Integer> buckets) {
        throw new UnsupportedOperationException("checksums are not supported by this capture");
    }

    /**
     * The rows of {@code table} a comparison with the server leaves out: a local change of them waits for its ACK, or a
     * remote change of them was parked. They differ from the server by design until that is settled.
     *
     * @param table a tracked table
     * @return their global ids
     * @throws UnsupportedOperationException when {@link #checksums()} is not supported
     */
    default java.util.Set<String> unsettledRows(String table) {
        throw new UnsupportedOperationException("checksums are not supported by this capture");
    }

    /**
     * Settles rows a comparison found different at sequence {@code atSequence}: a row is confirmed as drifted only when
     * neither side moved it since (the server's state of it is at or before {@code atSequence}, and so is the state this
     * device records for it) and it has no unsettled change ({@link #unsettledRows}); a row that moved differs because
     * the scope moved on, and the next comparison looks at it again. With {@code write}, confirmed rows get the server's
     * state in one transaction with capture suppressed, and rows the server does not know are deleted.
     *
     * @param table the table
     * @param rows the server's states of the rows (UPDATE with the whole image, or DELETE)
     * @param sequences the last server sequence of each of {@code rows}
     * @param unknownToServer rows this device holds that the server never had
     * @param atSequence the sequence the comparison was made at
     * @param write whether to write the server's state into the confirmed rows
     * @return how many rows were confirmed as different (and written, with {@code write})
     * @throws UnsupportedOperationException when {@link #checksums()} is not supported
     */
    default int repair(String table, List<Change> rows, List<Long> sequences, java.util.Collection<String> unknownToServer,
            long atSequence, boolean write) {
        throw new UnsupportedOperationException("checksums are not supported by this capture");
    }

    /**
     * Restamps the pending changes stamped after {@code serverTimeMillis} so that none is, keeping their order; called
     * after the server refused a change {@code CLOCK_SKEW}, with the time its ACK carried. The offset measured from
     * that time ({@link #clockOffset}) corrects later writes; this corrects what is already stamped even when the
     * device's clock (or a cache of it) has not caught up yet. The default does nothing.
     *
     * @param serverTimeMillis the server's wall clock in epoch milliseconds
     * @return the number of changes restamped
     */
    default int restampAhead(long serverTimeMillis) {
        return 0;
    }

    /**
     * A view of this capture that syncs one of several scopes of the device (docs/protocol.md 3.9): its own cursor,
     * resync flag, own mark and subscribed tables, and only {@code tables} in what it pushes, counts, resyncs and
     * checksums. Every view shares this capture's database, clock and change log; the capture is installed with the
     * tables of every scope first. A table belongs to one scope for good: binding it to another than the one it
     * synced in is refused. Closing a view does nothing (close the capture).
     *
     * <p>The default refuses: a capture that supports scopes overrides this.
     *
     * @param scope the scope; not null
     * @param tables the tables bound to it, a subset of the installed ones; not null, not empty
     * @return the view
     * @throws io.pocketsync.api.PocketSyncException with {@code CONFIG_INVALID} when this capture holds one scope only,
     *         or a table is bound to another scope already
     */
    default ChangeCapture scope(String scope, List<String> tables) {
        throw new io.pocketsync.api.PocketSyncException(io.pocketsync.api.ErrorCode.CONFIG_INVALID,
                getClass().getSimpleName() + " syncs one scope only");
    }

    /**
     * The next page of the bulk path (protocol.md 3.2a): rows a table held when it was first tracked, which the server
     * has not acknowledged, after {@code after} (the last page sent and not yet acknowledged, or null to start from
     * what is acknowledged), at most {@code rows} of them and about {@code maxBytes}. The default, null, has no bulk
     * path: every row is a pending change.
     *
     * @param after the page sent last, or null
     * @param rows the most rows in the page
     * @param maxBytes the estimated bytes the page may hold (at least one row always goes)
     * @return the page, or null when nothing is left to send
     */
    default @Nullable BulkPage bulkPage(@Nullable BulkPage after, int rows, long maxBytes) {
        return null;
    }

    /**
     * Records the server's answer to a bulk page: the rows it does not name were applied with sequences of
     * {@code applied} (a compact ACK), or, when {@code applied} is null (a server that answers every row), as
     * {@code results} say. The rows named otherwise are decided as {@link #acknowledge} decides pending changes.
     *
     * @param page the page as sent
     * @param results the ACK's results
     * @param applied the compact ACK's range, or null
     * @return what was written locally (winners)
     */
    default ApplyReport acknowledgeBulk(BulkPage page, List<ChangeResult> results,
            @Nullable AppliedRange applied) {
        throw new UnsupportedOperationException(getClass().getName() + " has no bulk path");
    }

    /** Releases connections; idempotent. */
    @Override
    void close();
}
