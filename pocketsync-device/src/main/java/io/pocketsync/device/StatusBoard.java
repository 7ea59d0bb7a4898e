package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands sync status events to the status listener on the listener executor, one at a time and in order,
 * never on the engine thread; a listener that throws is logged and the others go on. Thread-safe.
 */
final class StatusBoard {
    private static final Logger LOG = LoggerFactory.getLogger(StatusBoard.class);

    private final Executor listenerExecutor;
    private final SyncStatusListener listener;

    StatusBoard(Executor listenerExecutor, SyncStatusListener listener) {
        this.listenerExecutor = requireNonNull(listenerExecutor, "listenerExecutor is null");
        this.listener = requireNonNull(listener, "listener is null");
    }

    /** Whether anyone listens: what only a listener needs (a count of the change log) is skipped otherwise. */
    boolean hasListeners() {
        return listener != SyncStatusListener.NONE;
    }

    /** An engine task failed: the listener hears the error's code. */
    void engineFailed(RuntimeException e) {
        ErrorCode code = e instanceof PocketSyncException p ? p.code() : ErrorCode.INTERNAL;
        emit(l -> l.error(code, String.valueOf(e.getMessage())));
    }

    void emit(Consumer<SyncStatusListener> event) {
        try {
            listenerExecutor.execute(() -> {
                try {
                    event.accept(listener);
                }
                catch (RuntimeException e) {
                    LOG.warn("status listener failed", e);
                }
            });
        }
        catch (RejectedExecutionException e) {
            LOG.debug("listener executor stopped; status event dropped");
        }
    }
}
