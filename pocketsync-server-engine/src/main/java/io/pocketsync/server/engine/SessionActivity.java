package io.pocketsync.server.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the server knows of one session's progress, for operators (admin API): when it opened and last spoke, the
 * device's position, and the PUSHes it waits on. Also holds an operator's request that the session's next PULL be
 * served as a full snapshot (a forced resync, see {@link DeviceControls}).
 *
 * <p>The position is the server's view: the cursor the device last reported (HELLO, PULL) or the end of the last
 * CHANGES sent to it, whichever is higher; a device applies what it is sent a moment later. Thread-safe.
 */
final class SessionActivity {
    private final long openedAt;
    private final AtomicLong lastMessageAt;
    private final AtomicLong cursor = new AtomicLong();
    private final AtomicInteger pushesWaiting = new AtomicInteger();
    private final AtomicLong changesReceived = new AtomicLong();
    /** The time of the operator's resync request this session is to serve; 0 for none. */
    private final AtomicLong snapshotAsked = new AtomicLong();
    /** The time of the last resync request this session was told of, so the sweep tells it once. */
    private final AtomicLong resyncTold = new AtomicLong();

    SessionActivity(long openedAt) {
        this.openedAt = openedAt;
        this.lastMessageAt = new AtomicLong(openedAt);
    }

    /** A message arrived; {@code pushedChanges} is the size of a PUSH, -1 for other messages. */
    void received(long at, int pushedChanges) {
        lastMessageAt.accumulateAndGet(at, Math::max);
        if (pushedChanges >= 0) {
            pushesWaiting.incrementAndGet();
            changesReceived.addAndGet(pushedChanges);
        }
    }

    void pushAnswered() {
        pushesWaiting.updateAndGet(n -> Math.max(0, n - 1));
    }

    /** The device said (HELLO, PULL) or was sent (CHANGES) a cursor. */
    void position(long sequence) {
        cursor.accumulateAndGet(sequence, Math::max);
    }

    /**
     * An operator asked for a resync at {@code requestedAt}: the next PULL is served as a snapshot.
     *
     * @return false when this session was already told of this request
     */
    boolean askSnapshot(long requestedAt) {
        if (resyncTold.getAndSet(requestedAt) == requestedAt) {
            return false;
        }
        snapshotAsked.set(requestedAt);
        return true;
    }

    /** The request to serve now, cleared; 0 when none. */
    long takeSnapshot() {
        return snapshotAsked.getAndSet(0);
    }

    long openedAt() {
        return openedAt;
    }

    long lastMessageAt() {
        return lastMessageAt.get();
    }

    long cursor() {
        return cursor.get();
    }

    int pushesWaiting() {
        return pushesWaiting.get();
    }

    long changesReceived() {
        return changesReceived.get();
    }
}
