package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Rows;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.model.Version;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.api.store.ScopeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PULL → one CHANGES page. Reads bounded pages of row states from the store ({@code ServerStore.page},
 * ordered by the sequence of each row's last change) and applies the catch-up rules of
 * {@code docs/protocol.md} §3.5, so cost follows the rows changed, not the number of changes, and memory
 * is one page however far behind the device is.
 *
 * <p>Catch-up from cursor {@code C}:
 * <ul>
 *   <li>a tombstone created after {@code C} ({@code firstSequence > C}) is skipped: born and died — unless
 *       it died at or after the PULL's {@code ownFrom} ({@code lastSequence >= ownFrom}), where the device may
 *       hold the row because one of its own changes created or wrote it (then it is sent as a DELETE);</li>
 *   <li>a row written entirely by the pulling device (its version and every column version) is skipped, unless the
 *       PULL has {@code self} (a device that lost or restored its data asks for its own rows);</li>
 *   <li>every other row is sent once, as its latest image: {@link RowState#toChange(long)}.</li>
 * </ul>
 * The page's cursor is the {@code lastSequence} of the last row read, skipped or not, so a device
 * resuming from it misses nothing and sees nothing twice.
 *
 * <p>Full resync (cursor below the retention horizon, or above the head, or a PULL from 0 with {@code self}): the device is served a
 * snapshot, i.e. a catch-up from 0 in SNAPSHOT pages, the first starting at 0 whatever the device's
 * cursor (the device starts its resync there). Snapshot pages hold every live row, including the
 * device's own (the device deletes local rows the snapshot lacks). Tombstones older than the snapshot
 * are left out; a row deleted while the snapshot is being served is sent as a DELETE, because an earlier
 * page may already have delivered it. While a snapshot is in progress on a session, a PULL from the
 * cursor of its last page continues it.
 *
 * <p>Table catch-up (a PULL with {@code tables}, protocol 4, docs/protocol.md 3.8): the tables a device just started
 * tracking, from that catch-up's own cursor, in CATCH_UP pages restricted to those tables that name them. It includes the
 * device's own rows (the device may never have held them: it did not track the table) and never becomes a snapshot, nor
 * touches the session's snapshot in progress: rows it sent that are deleted later reach the device with its main
 * cursor's LIVE and catch-up, which carry every subscribed table from the HELLO on. A cursor above the head (the store
 * lost its history) starts it again from 0.
 *
 * <p>Thread-safe; the snapshot progress of a session is only touched on that session's executor.
 */
final class CatchUpPlanner {
    private static final Logger LOG = LoggerFactory.getLogger(CatchUpPlanner.class);

    /** Rows read (sent or skipped) per PULL at most, as a multiple of the page size: bounds the work of one PULL. */
    private static final int SCAN_FACTOR = 4;
    private static final int CHANGE_OVERHEAD_BYTES = 64;

    private final ServerServices services;
    private final Map<Session, Snapshot> snapshots = new ConcurrentHashMap<>();

    CatchUpPlanner(ServerServices services) {
        this.services = requireNonNull(services, "services is null");
    }

    /**
     * A snapshot being served: where it continues, the head when it started, and the time of the operator's resync
     * request it serves (0 for none), which is cleared once the last page is sent.
     */
    private record Snapshot(long nextCursor, long startHead, long requestedAt) {}

    void pull(Session session, Pull pull) {
        if (pull.cursor() < 0) {
            session.sendError(ErrorCode.INVALID_FIELD, "cursor must not be negative", null);
            return;
        }
        Scope scope = session.scope();
        int limit = pull.limit() <= 0 ? services.options().pageRows() : Math.min(pull.limit(), services.options().pageRows());
        if (pull.tables() != null) {
            tableCatchUp(session, pull, limit);
            return;
        }
        try {
            ScopeInfo info = services.timed("info", () -> services.store().info(scope));
            Snapshot snapshot = snapshots.get(session);
            if (snapshot != null && snapshot.nextCursor() != pull.cursor()) {
                snapshots.remove(session);
                snapshot = null;
            }
            long requested = session.activity().takeSnapshot();
            if (requested > 0) {
                // an operator asked this device to resync: a snapshot from 0, whatever the cursor
                snapshot = new Snapshot(0, info.head(), requested);
            }
            // a PULL from 0 that asks for the device's own rows is a repair: the full state, served as a snapshot
            if (snapshot == null && (pull.cursor() < info.horizon() || pull.cursor() > info.head()
                    || (pull.self() && pull.cursor() == 0))) {
                snapshot = new Snapshot(0, info.head(), 0);
                LOG.info("serving a full resync to device {} in scope {} (cursor {}, history {}..{}{})", session.deviceId(), scope,
                        pull.cursor(), info.horizon(), info.head(), pull.self() ? ", its own rows included" : "");
            }
            Changes page;
            if (snapshot != null) {
                page = plan(scope, session.deviceId(), ChangesMode.SNAPSHOT, snapshot.nextCursor(), 0, limit, snapshot.startHead(),
                        info, session.tables());
                if (page.hasMore()) {
                    snapshots.put(session, new Snapshot(page.cursor(), snapshot.startHead(), snapshot.requestedAt()));
                }
                else {
                    snapshots.remove(session);
                }
            }
            else {
                // with self, no row is the device's own: it asks for the rows it wrote too
                String skipRowsOf = pull.self() ? null : session.deviceId();
                page = plan(scope, skipRowsOf, ChangesMode.CATCH_UP, pull.cursor(), pull.ownFrom(), limit, 0, info, session.tables());
            }
            if (pull.sums() != null && !page.hasMore()) {
                page = withChecksums(scope, page, session.tables(), pull.sums());
            }
            session.send(page);
            if (snapshot != null && snapshot.requestedAt() > 0 && !page.hasMore()) {
                services.controls().resyncServed(scope, session.deviceId(), snapshot.requestedAt());
            }
        }
        catch (PocketSyncException e) {
            session.sendError(e.code() == ErrorCode.STORE_UNAVAILABLE ? e.code() : ErrorCode.INTERNAL,
                    "catch-up failed; pull again later", null);
        }
    }

    /** One page of a table catch-up (see the class comment); the session's snapshot, if any, goes on untouched. */
    private void tableCatchUp(Session session, Pull pull, int limit) {
        List<String> tables = pull.tables();
        for (String table : tables) {
            if (!Identifiers.isSqlName(table)) {
                session.sendError(ErrorCode.IDENTIFIER_INVALID, "every name in PULL 'tables' must be a table name: 1-"
                        + Identifiers.MAX_LENGTH + " characters, no control characters", null);
                return;
            }
            if (!session.tables().includes(table)) {
                session.sendError(ErrorCode.TABLE_NOT_SUBSCRIBED, "PULL tables: table '" + table + "' is not subscribed in"
                        + " this session (HELLO tables); say HELLO with it first", null);
                return;
            }
        }
        Scope scope = session.scope();
        try {
            ScopeInfo info = services.timed("info", () -> services.store().info(scope));
            long from = pull.cursor() > info.head() ? 0 : pull.cursor();
            Changes page = plan(scope, null, ChangesMode.CATCH_UP, from, pull.ownFrom(), limit, 0, info,
                    TableSubscription.of(tables));
            if (from == 0 && pull.cursor() > 0) {
                LOG.info("table catch-up of {} for device {} in scope {} starts again from 0 (its cursor {} is above the head {})",
                        tables, session.deviceId(), scope, pull.cursor(), info.head());
            }
            session.send(page.withTables(tables));
        }
        catch (PocketSyncException e) {
            session.sendError(e.code() == ErrorCode.STORE_UNAVAILABLE ? e.code() : ErrorCode.INTERNAL,
                    "table catch-up failed; pull again later", null);
        }
    }

    /**
     * The final page with the scope's checksums at the level asked when they are exactly at its cursor; as it is when a
     * batch committed since the page was read (the device then asks with VERIFY, docs/protocol.md 4.2).
     */
    private Changes withChecksums(Scope scope, Changes page, TableSubscription tables, ChecksumLevel level) {
        ScopeChecksums sums = services.timed("checksums", () -> services.store().checksums(scope, level));
        if (sums.sequence() != page.cursor()) {
            return page;
        }
        List<TableChecksum> subscribed = tables.filter(sums.tables());
        services.listener().checksumsServed(scope, "tables", subscribed.size());
        return page.withChecksums(new Checksums(ProtocolVersion.CURRENT, 0, sums.sequence(), subscribed, List.of(), List.of(),
                List.of(), List.of()));
    }

    /** Forgets a closed session's snapshot progress. */
    void forget(Session session) {
        snapshots.remove(session);
    }

    /**
     * Plans one page.
     *
     * @param from where the page starts (the device's cursor, or the snapshot's position)
     * @param startHead for snapshots, the head when the snapshot started
     */
    Changes plan(Scope scope, String deviceId, ChangesMode mode, long from, int maxRows, long startHead, ScopeInfo info) {
        return plan(scope, deviceId, mode, from, 0, maxRows, startHead, info, TableSubscription.ALL);
    }

    /**
     * Like {@link #plan(Scope, String, ChangesMode, long, int, long, ScopeInfo)} with the device's {@code ownFrom}.
     * {@code deviceId} null sends the rows of every device (a PULL with {@code self}). Rows of tables outside
     * {@code tables} are skipped like the device's own: read, counted against the scan bound, and passed by the cursor.
     */
    Changes plan(Scope scope, @Nullable String deviceId, ChangesMode mode, long from, long ownFrom, int maxRows, long startHead,
            ScopeInfo info, TableSubscription tables) {
        boolean snapshot = mode == ChangesMode.SNAPSHOT;
        long maxBytes = services.options().pageBytes();
        int maxScanned = maxRows * SCAN_FACTOR;
        List<Change> changes = new ArrayList<>();
        List<Long> sequences = new ArrayList<>();
        long bytes = 0;
        long position = from;
        int scanned = 0;
        boolean more = true;
        reading:
        while (changes.size() < maxRows && scanned < maxScanned) {
            long after = position;
            int want = Math.min(maxRows - changes.size(), maxScanned - scanned);
            CatchUpPage page = services.timed("page", () -> services.store().page(scope, after, want, true));
            for (RowState state : page.rows()) {
                scanned++;
                if (!tables.includes(state.table()) || skip(state, deviceId, from, ownFrom, snapshot, startHead)) {
                    position = state.lastSequence();
                    continue;
                }
                Change change = state.toChange(snapshot ? 0 : from);
                long size = estimate(change);
                if (!changes.isEmpty() && bytes + size > maxBytes) {
                    more = true;
                    break reading;
                }
                changes.add(change);
                sequences.add(state.lastSequence());
                bytes += size;
                position = state.lastSequence();
                if (changes.size() >= maxRows) {
                    break;
                }
            }
            if (changes.size() >= maxRows && position < page.nextCursor()) {
                more = true;
                break;
            }
            position = Math.max(position, page.nextCursor());
            more = page.hasMore();
            if (!more) {
                break;
            }
        }
        if (!more) {
            // everything up to the head read before the scan is now reflected (a row changed during the
            // scan moved past it and was read there), so the device may skip past pruned tombstones
            position = Math.max(position, info.head());
        }
        long remaining = Math.max(0, info.head() - position);
        services.listener().catchUpLag(scope, mode, Math.max(0, info.head() - from));
        services.listener().catchUpPage(scope, mode, changes.size(), bytes);
        return new Changes(ProtocolVersion.CURRENT, mode, changes, from, position, more, more ? remaining : 0,
                sequences.contains(0L) ? List.of() : sequences);
    }

    private static boolean skip(RowState state, @Nullable String deviceId, long from, long ownFrom, boolean snapshot,
            long startHead) {
        if (snapshot) {
            return state.deleted() && (state.lastSequence() <= startHead || state.firstSequence() > startHead);
        }
        if (state.deleted() && state.firstSequence() > from) {
            // Born and died after the cursor. The device may still hold it if one of its own changes (all at or
            // after ownFrom) wrote it before it died: not only when it created the row, but also when it inserted
            // a row another device had created first (global ids may come from natural keys; the server stores
            // that insert as a later write of the row). So only a row that died before ownFrom is skipped.
            return ownFrom == 0 || state.lastSequence() < ownFrom;
        }
        return deviceId != null && writtenOnlyBy(state, deviceId);
    }

    /** Whether the device already has this exact state: it wrote the row and, for merged rows, every column. */
    private static boolean writtenOnlyBy(RowState state, String deviceId) {
        if (!state.version().deviceId().equals(deviceId)) {
            return false;
        }
        for (Version column : state.columnVersions().values()) {
            if (!column.deviceId().equals(deviceId)) {
                return false;
            }
        }
        return true;
    }

    private static long estimate(Change change) {
        return Rows.estimateBytes(change.row()) + change.changeId().length() + change.table().length()
                + change.globalId().length() + change.deviceId().length() + CHANGE_OVERHEAD_BYTES;
    }
}
