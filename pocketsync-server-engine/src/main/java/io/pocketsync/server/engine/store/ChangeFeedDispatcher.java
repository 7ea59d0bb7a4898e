package io.pocketsync.server.engine.store;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ChangeFeedListener;
import io.pocketsync.api.store.CommittedBatch;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands committed batches to feed listeners on one dedicated thread, in the order they were published.
 * A store publishes in commit order per scope (SQLite under its writer lock; Redis in the order its pattern
 * subscription delivers, which is publish order), and writers never wait for listeners. A failing listener
 * is logged and does not stop the others.
 *
 * <p>Thread-safe. {@link #close()} stops the thread; events published afterwards are dropped.
 */
public final class ChangeFeedDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeedDispatcher.class);

    private final List<ChangeFeedListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService thread;

    /**
     * A dispatcher with its own daemon thread, started on first use.
     *
     * @param threadName the name of the daemon thread that calls the listeners, for thread dumps
     */
    public ChangeFeedDispatcher(String threadName) {
        this.thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread feed = new Thread(runnable, threadName);
            feed.setDaemon(true);
            return feed;
        });
    }

    /**
     * Adds a listener for the batches published from now on.
     *
     * @param listener called on the feed thread with each committed batch; not null
     * @return removes the listener when closed; closing twice is harmless
     */
    public AutoCloseable subscribe(ChangeFeedListener listener) {
        requireNonNull(listener, "listener is null");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Hands a committed batch to every listener, on the feed thread; returns at once.
     *
     * @param batch the committed batch; not null
     */
    public void publish(CommittedBatch batch) {
        requireNonNull(batch, "batch is null");
        publish(() -> batch);
    }

    /**
     * Publishes an event that is built on the feed thread, and only when someone listens: building it
     * (copying row images into changes, decoding a message) then costs the writer nothing.
     * {@code event} must be safe to call from another thread; it may return null to publish nothing.
     *
     * @param event builds the batch on the feed thread; not null, and called at most once
     */
    public void publish(Supplier<CommittedBatch> event) {
        requireNonNull(event, "event is null");
        if (listeners.isEmpty()) {
            // Nobody to tell: waking the feed thread would cost the writer a context switch per batch.
            return;
        }
        try {
            thread.execute(() -> {
                if (listeners.isEmpty()) {
                    return;
                }
                CommittedBatch batch;
                try {
                    batch = event.get();
                }
                catch (RuntimeException e) {
                    LOG.warn("change feed event could not be built; listeners are told to pull", e);
                    notifyGap();
                    return;
                }
                if (batch == null) {
                    return;
                }
                for (ChangeFeedListener listener : listeners) {
                    try {
                        listener.onCommitted(batch);
                    }
                    catch (RuntimeException e) {
                        LOG.warn("change feed listener {} failed on scope {} ({}, {}]", listener, batch.scope(),
                                batch.fromSequence(), batch.toSequence(), e);
                    }
                }
            });
        }
        catch (RejectedExecutionException e) {
            LOG.debug("store closed; feed event dropped");
        }
    }

    /** Tells every listener that events may have been missed (after a reconnect). */
    public void gap() {
        try {
            thread.execute(this::notifyGap);
        }
        catch (RejectedExecutionException e) {
            LOG.debug("store closed; gap event dropped");
        }
    }

    /**
     * Tells every listener, on the feed thread, that a session was established somewhere
     * ({@link ChangeFeedListener#onSessionClaimed}).
     *
     * @param scope the device's scope
     * @param deviceId the device
     * @param claim the establishing node's claim
     */
    public void sessionClaimed(Scope scope, String deviceId, String claim) {
        requireNonNull(scope, "scope is null");
        requireNonNull(deviceId, "deviceId is null");
        requireNonNull(claim, "claim is null");
        try {
            thread.execute(() -> {
                for (ChangeFeedListener listener : listeners) {
                    try {
                        listener.onSessionClaimed(scope, deviceId, claim);
                    }
                    catch (RuntimeException e) {
                        LOG.warn("change feed listener {} failed on a session claim", listener, e);
                    }
                }
            });
        }
        catch (RejectedExecutionException e) {
            LOG.debug("store closed; session claim dropped");
        }
    }

    private void notifyGap() {
        for (ChangeFeedListener listener : listeners) {
            try {
                listener.onGap();
            }
            catch (RuntimeException e) {
                LOG.warn("change feed listener {} failed on a gap", listener, e);
            }
        }
    }

    @Override
    public void close() {
        thread.shutdown();
    }
}
