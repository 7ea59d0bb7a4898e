package io.pocketsync.device;

import io.pocketsync.api.auth.Grant;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of a device's sync status, as {@link PocketSyncDevice#status()} returns it and
 * {@link PocketSyncDevice#onStatus} delivers it. Immutable.
 *
 * @param connected whether the server has welcomed the device on the current connection
 * @param lastSyncedAt when the device last applied changes from the server (a catch-up page, or a live broadcast,
 *        the one that echoes its own pushed batch included); null when it never has
 * @param pendingCount local changes not yet acknowledged by the server
 * @param parkedCount remote changes that could not be applied and were parked with their code
 * @param catchUp the catch-up in progress, from the (re)connect until the device has everything the server had
 *        (pending changes are pushed first, then pages pulled); null when none is
 */
public record SyncStatus(boolean connected, @Nullable Instant lastSyncedAt, long pendingCount, long parkedCount,
        @Nullable CatchUpProgress catchUp, @Nullable Grant grant) {
    /** A device that has not connected yet and knows of nothing pending or parked. */
    public static final SyncStatus INITIAL = new SyncStatus(false, null, 0, 0, null, null);

    /**
     * A status that does not know the grant.
     *
     * @param connected whether the server has welcomed the device on the current connection
     * @param lastSyncedAt when the device last applied changes from the server; null when it never has
     * @param pendingCount local changes not yet acknowledged; not negative
     * @param parkedCount remote changes parked as dead letters; not negative
     * @param catchUp the catch-up in progress; null when none is
     */
    public SyncStatus(boolean connected, @Nullable Instant lastSyncedAt, long pendingCount, long parkedCount,
            @Nullable CatchUpProgress catchUp) {
        this(connected, lastSyncedAt, pendingCount, parkedCount, catchUp, null);
    }

    /**
     * Whether the server said the scope is read-only for this device: every local write of it is refused
     * ({@code SCOPE_READ_ONLY}) and reverted, so an app may grey out edits.
     *
     * @return true when {@link #grant()} is {@link Grant#READ_ONLY}
     */
    public boolean isReadOnly() {
        return grant == Grant.READ_ONLY;
    }

    /**
     * Validates the counts.
     *
     * @param connected whether the server has welcomed the device on the current connection
     * @param lastSyncedAt when the device last applied changes from the server; null when it never has
     * @param pendingCount local changes not yet acknowledged; not negative
     * @param parkedCount remote changes parked as dead letters; not negative
     * @param catchUp the catch-up in progress; null when none is
     * @param grant what the server's last WELCOME said this device may do in the scope ({@code rw} or {@code r},
     *        protocol 4); kept while offline; null before the first WELCOME and from a server that does not say
     * @throws IllegalArgumentException when {@code pendingCount} or {@code parkedCount} is negative
     */
    public SyncStatus {
        if (pendingCount < 0 || parkedCount < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
    }

    /**
     * Whether a catch-up is in progress.
     *
     * @return true when {@link #catchUp()} is not null
     */
    public boolean isCatchingUp() {
        return catchUp != null;
    }

    /**
     * Whether the device is in sync as far as it knows.
     *
     * @return true when the device is connected, not catching up and has no pending local changes
     */
    public boolean isUpToDate() {
        return connected && catchUp == null && pendingCount == 0;
    }

    SyncStatus withConnected(boolean value, @Nullable CatchUpProgress progress) {
        return new SyncStatus(value, lastSyncedAt, pendingCount, parkedCount, progress, grant);
    }

    SyncStatus withGrant(@Nullable Grant said) {
        return new SyncStatus(connected, lastSyncedAt, pendingCount, parkedCount, catchUp, said);
    }

    SyncStatus withSync(@Nullable Instant at, @Nullable CatchUpProgress progress) {
        return new SyncStatus(connected, at, pendingCount, parkedCount, progress, grant);
    }

    SyncStatus withPending(long count) {
        return new SyncStatus(connected, lastSyncedAt, count, parkedCount, catchUp, grant);
    }

    SyncStatus withCounts(long pending, long parked) {
        return new SyncStatus(connected, lastSyncedAt, pending, parked, catchUp, grant);
    }
}
