package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.auth.Grant;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.capture.ChangeCapture;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's sync status: the {@link SyncStatus} snapshot and the status listeners. The engine reports what
 * happens (engine thread only); the board updates the snapshot and hands events to the listeners on the listener
 * executor, one at a time and in order, never on the engine thread. A listener that throws is logged and the
 * others go on.
 *
 * <p>The pending and parked counts are reads of the change log, so they are taken only when someone may look:
 * while a listener is registered, at the engine's tick after something may have changed them, and when
 * {@link PocketSyncDevice#status()} asks. A count scans the pending changes, so during a bulk push (a million
 * pending changes, a PUSH every few milliseconds) counting at every PUSH and every tick cost the engine more than
 * pushing; counts are therefore read at most every {@link #COUNT_INTERVAL_NANOS} and never more often than keeps
 * their own cost under a twentieth of the engine's time. Between reads, events carry the last count, and the
 * counts stay marked stale so that a later tick reads them. Listener registration and {@link #current()} are
 * thread-safe.
 */
final class StatusBoard {
    private static final Logger LOG = LoggerFactory.getLogger(StatusBoard.class);

    private final Executor listenerExecutor;
    private final Clock clock;
    private final List<SyncStatusListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean countQueued = new AtomicBoolean();
    private volatile SyncStatus current = SyncStatus.INITIAL;
    /** Written on the engine thread only: something may have changed the counts since they were read. */
    private volatile boolean countsStale = true;
    /** Engine thread: when the counts may be read again (see the class comment). */
    private long nextCountNanos;
    private boolean counted;
    private static final long COUNT_INTERVAL_NANOS = 250_000_000L;

    /**
     * @param listener a first listener ({@link SyncStatusListener#NONE} for none)
     */
    StatusBoard(Executor listenerExecutor, Clock clock, SyncStatusListener listener) {
        this.listenerExecutor = requireNonNull(listenerExecutor, "listenerExecutor is null");
        this.clock = requireNonNull(clock, "clock is null");
        if (requireNonNull(listener, "listener is null") != SyncStatusListener.NONE) {
            listeners.add(listener);
        }
    }

    // ---- any thread ----

    /** The latest snapshot; never blocks. */
    SyncStatus current() {
        return current;
    }

    Subscription add(SyncStatusListener listener) {
        requireNonNull(listener, "listener is null");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Registers {@code listener} for snapshots; it gets the current one at once, then each one that differs. */
    Subscription onStatus(Consumer<SyncStatus> listener) {
        SnapshotListener adapter = new SnapshotListener(requireNonNull(listener, "listener is null"));
        Subscription subscription = add(adapter);
        // read after adding: a snapshot published meanwhile reaches the adapter either way, and it drops repeats
        SyncStatus now = current;
        dispatch(List.of(adapter), l -> l.statusChanged(now));
        return subscription;
    }

    Subscription onError(SyncErrorListener listener) {
        return add(new ErrorListener(requireNonNull(listener, "listener is null")));
    }

    /**
     * Whether a listener may want the counts (any but those registered with {@link #onError}): a count of the
     * change log is skipped otherwise.
     */
    boolean wantsCounts() {
        for (SyncStatusListener listener : listeners) {
            if (!(listener instanceof ErrorListener)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the caller should have the engine count now: the counts may be stale and no count is queued. */
    boolean countWanted() {
        return countsStale && countQueued.compareAndSet(false, true);
    }

    // ---- engine thread ----

    /** Something may have added or decided pending changes, or parked remote ones. */
    void countsMayHaveChanged() {
        countsStale = true;
    }

    /** Reads the counts again when they may be stale. */
    void refreshCounts(ChangeCapture capture) {
        countQueued.set(false);
        if (!countsStale || !countDue()) {
            return;
        }
        countsStale = false;
        publish(current.withCounts(count(capture::pendingEstimate), capture.parkedCount()));
    }

    /** Whether a count may be read now (see the class comment). */
    private boolean countDue() {
        return !counted || System.nanoTime() - nextCountNanos >= 0;
    }

    /** Reads a count and sets when the next may be read: at least the interval, and twenty times this read's time. */
    private long count(java.util.function.LongSupplier read) {
        long start = System.nanoTime();
        long value = read.getAsLong();
        long end = System.nanoTime();
        counted = true;
        nextCountNanos = end + Math.max(COUNT_INTERVAL_NANOS, 20 * (end - start));
        return value;
    }

    /** The engine started; {@code lastSync} is the stored time the cursor last moved. */
    void started(@Nullable Instant lastSync) {
        publish(current.withSync(lastSync, current.catchUp()));
    }

    /**
     * The server welcomed the device: a catch-up starts (a full resync when the server asks for one); {@code grant} is
     * what the WELCOME said the session may do (null: an older server that does not say).
     */
    void connected(boolean resync, @Nullable Grant grant) {
        publish(current.withGrant(grant));
        emit(SyncStatusListener::connected);
        publish(current.withConnected(true, CatchUpProgress.starting(resync)));
    }

    /** The connection is gone; {@code wasWelcomed} tells whether listeners heard it was up. */
    void disconnected(ErrorCode code, String reason, boolean wasWelcomed) {
        if (wasWelcomed) {
            emit(l -> l.disconnected(code, reason));
        }
        publish(current.withConnected(false, null));
    }

    /** A PUSH of {@code changes} changes was sent; listeners hear how many were pending in all. */
    void pushing(int changes, ChangeCapture capture) {
        if (!wantsCounts()) {
            return;
        }
        if (!countDue()) {
            countsStale = true; // read at a later tick
            long last = Math.max(changes, current.pendingCount());
            emit(l -> l.pushing(changes, last));
            return;
        }
        long pending = count(capture::pendingEstimate);
        emit(l -> l.pushing(changes, pending));
        publish(current.withPending(pending));
    }

    /** A catch-up page was applied; {@code more} tells whether the server has more. */
    void pageApplied(CatchUpProgress progress, boolean more, long cursor) {
        emit(l -> l.catchingUp(progress));
        if (!more) {
            emit(l -> l.caughtUp(cursor));
        }
        publish(current.withSync(clock.instant(), more ? progress : null));
    }

    /** A live broadcast was applied. */
    void liveApplied() {
        publish(current.withSync(clock.instant(), current.catchUp()));
    }

    /** No session could be had: see {@link SyncStatusListener#connectFailed}. */
    void connectFailed(ErrorCode code, String message) {
        emit(l -> l.connectFailed(code, message));
    }

    void error(ErrorCode code, String message) {
        emit(l -> l.error(code, message));
    }

    /** A checksum comparison wrote the server's state into {@code rows} rows of {@code table}. */
    void rowsRepaired(String table, int rows) {
        emit(l -> l.rowsRepaired(table, rows));
    }

    /** An engine task failed: the listeners hear the error's code. */
    void engineFailed(RuntimeException e) {
        ErrorCode code = e instanceof PocketSyncException p ? p.code() : ErrorCode.INTERNAL;
        error(code, String.valueOf(e.getMessage()));
    }

    /** An event of one scope's board (a device of several scopes, {@link ScopeStatusRelay}), for the listeners. */
    void relay(Consumer<SyncStatusListener> event) {
        emit(event);
    }

    /** The device's snapshot combined from its scopes' ({@link ScopeStatusRelay}). */
    void combined(SyncStatus next) {
        publish(next);
    }

    private void publish(SyncStatus next) {
        if (next.equals(current)) {
            return;
        }
        current = next;
        emit(l -> l.statusChanged(next));
    }

    private void emit(Consumer<SyncStatusListener> event) {
        if (!listeners.isEmpty()) {
            // the listeners registered now: one registered later hears only later events
            dispatch(List.copyOf(listeners), event);
        }
    }

    private void dispatch(List<SyncStatusListener> to, Consumer<SyncStatusListener> event) {
        try {
            listenerExecutor.execute(() -> {
                for (SyncStatusListener listener : to) {
                    try {
                        event.accept(listener);
                    }
                    catch (RuntimeException e) {
                        LOG.warn("status listener failed", e);
                    }
                }
            });
        }
        catch (RejectedExecutionException e) {
            LOG.debug("listener executor stopped; status event dropped");
        }
    }

    /** Hands errors to a lambda; needs no counts. */
    private static final class ErrorListener extends SyncStatusListener {
        private final SyncErrorListener listener;

        ErrorListener(SyncErrorListener listener) {
            this.listener = listener;
        }

        @Override
        public void error(ErrorCode code, String message) {
            listener.error(code, message);
        }
    }

    /** Hands snapshots to a lambda, each one once. */
    private static final class SnapshotListener extends SyncStatusListener {
        private final Consumer<SyncStatus> listener;
        private @Nullable SyncStatus last;

        SnapshotListener(Consumer<SyncStatus> listener) {
            this.listener = listener;
        }

        @Override
        public synchronized void statusChanged(SyncStatus status) {
            if (!status.equals(last)) {
                last = status;
                listener.accept(status);
            }
        }
    }
}
