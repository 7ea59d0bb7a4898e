package io.pocketsync.device;

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
        @Nullable CatchUpProgress catchUp) {
    /** A device that has not connected yet and knows of nothing pending or parked. */
    public static final SyncStatus INITIAL = new SyncStatus(false, null, 0, 0, null);

    /**
     * Validates the counts.
     *
     * @param connected whether the server has welcomed the device on the current connection
     * @param lastSyncedAt when the device last applied changes from the server; null when it never has
     * @param pendingCount local changes not yet acknowledged; not negative
     * @param parkedCount remote changes parked as dead letters; not negative
     * @param catchUp the catch-up in progress; null when none is
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
        return new SyncStatus(value, lastSyncedAt, pendingCount, parkedCount, progress);
    }

    SyncStatus withSync(@Nullable Instant at, @Nullable CatchUpProgress progress) {
        return new SyncStatus(connected, at, pendingCount, parkedCount, progress);
    }

    SyncStatus withPending(long count) {
        return new SyncStatus(connected, lastSyncedAt, count, parkedCount, catchUp);
    }

    SyncStatus withCounts(long pending, long parked) {
        return new SyncStatus(connected, lastSyncedAt, pending, parked, catchUp);
    }
}
