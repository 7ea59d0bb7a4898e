package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.device.capture.DatabaseBusyException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's single engine thread: every sync task runs on it, one at a time, so the sync state needs no
 * locks. A task that throws is reported to the failure handler and the engine goes on; a task that met a busy
 * database ({@link DatabaseBusyException}: the app held the write lock for the whole busy timeout) is expected
 * contention, logged at DEBUG and handed to the busy handler, which does its work again later. A task handed over
 * after shutdown is dropped (the device is closing). Thread-safe.
 */
final class EngineThread {
    private static final Logger LOG = LoggerFactory.getLogger(EngineThread.class);

    private final ScheduledExecutorService executor;
    private final Consumer<RuntimeException> failures;
    private volatile Runnable afterBusy = () -> {};
    /** When an {@link Error} was last reported (engine thread only); 0 for never. */
    private long lastErrorNanos;

    EngineThread(ScheduledExecutorService executor, Consumer<RuntimeException> failures) {
        this.executor = requireNonNull(executor, "executor is null");
        this.failures = requireNonNull(failures, "failures is null");
    }

    /**
     * Adds what runs (on the engine thread) after a task was stopped by a busy database: it does again what such a
     * task may have left undone (each scope's loop adds its own).
     */
    void onBusy(Runnable retry) {
        requireNonNull(retry, "retry is null");
        Runnable before = afterBusy;
        this.afterBusy = () -> {
            before.run();
            retry.run();
        };
    }

    /** Runs {@code task} on the engine thread, after the tasks already queued. */
    void run(Runnable task) {
        if (executor.isShutdown()) {
            return;
        }
        try {
            executor.execute(guarded(task));
        }
        catch (RejectedExecutionException e) {
            LOG.debug("engine stopped; task dropped");
        }
    }

    /**
     * Queues {@code task} on the engine thread after {@code delay}; null when the engine has stopped. The returned
     * future is done once the task is queued, so the task itself sees it done.
     */
    @Nullable ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        try {
            return executor.schedule(() -> run(task), delay, unit);
        }
        catch (RejectedExecutionException e) {
            LOG.debug("engine stopped; scheduled task dropped");
            return null;
        }
    }

    /** Queues {@code task} on the engine thread every {@code period} until cancelled; null when the engine has stopped. */
    @Nullable ScheduledFuture<?> every(Runnable task, long period, TimeUnit unit) {
        try {
            return executor.scheduleWithFixedDelay(() -> run(task), period, period, unit);
        }
        catch (RejectedExecutionException e) {
            LOG.debug("engine stopped; periodic task dropped");
            return null;
        }
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            }
            catch (DatabaseBusyException e) {
                // the app's long write transaction, say: no stack trace and no error for the app (LockWaits warns once
                // when it lasts); the work is done again once the database is free
                LOG.debug("device engine task stopped by a busy database; it is done again: {}", e.getMessage());
                afterBusy.run();
            }
            catch (RuntimeException e) {
                LOG.error("device engine task failed", e);
                failures.accept(e);
            }
            catch (Error e) {
                // Not rethrown: the executor would keep it in a future nobody reads, and the engine would stall with
                // nothing said (an OutOfMemoryError sealing a large row did exactly that; so did a NoClassDefFoundError
                // after the sidecar's jar was rebuilt under the running process: every commit after it stayed unsealed,
                // in silence). Said at most every 10 s: the next poll meets the same row and fails the same way.
                long now = System.nanoTime();
                if (lastErrorNanos == 0 || now - lastErrorNanos > TimeUnit.SECONDS.toNanos(10)) {
                    lastErrorNanos = now;
                    String hint = hint(e);
                    LOG.error("device engine task failed: {}{}", e, hint, e);
                    failures.accept(new PocketSyncException(ErrorCode.INTERNAL, "the device engine failed: " + e + hint, e));
                }
            }
        };
    }

    /** What the user can do about {@code error}, as a clause to append; empty when there is nothing to say. */
    private static String hint(Error error) {
        if (error instanceof OutOfMemoryError) {
            return " (a large row needs about 20 times its size of heap while it is captured: raise -Xmx)";
        }
        if (error instanceof LinkageError) {
            return " (a class of the program cannot be loaded: were its jars replaced while it ran? restart it)";
        }
        return "";
    }

    /**
     * Runs {@code work} on the engine thread and waits for its result, at most {@code seconds} unless that is 0.
     *
     * @throws PocketSyncException {@code TIMEOUT} when the engine does not answer in time (the work is cancelled
     *         unless it has begun); the work's own runtime exception as it is
     */
    <T> T call(Callable<T> work, long seconds) {
        Future<T> result = executor.submit(work);
        try {
            return seconds == 0 ? result.get() : result.get(seconds, TimeUnit.SECONDS);
        }
        catch (TimeoutException e) {
            result.cancel(false);
            throw new PocketSyncException(ErrorCode.TIMEOUT, "the device engine did not answer within " + seconds + " s", e);
        }
        catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new PocketSyncException(ErrorCode.INTERNAL, String.valueOf(e.getCause()), e.getCause());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PocketSyncException(ErrorCode.INTERNAL, "interrupted while waiting for the device engine", e);
        }
    }

    /** Lets the queued tasks finish and accepts no more. */
    void shutdown() {
        executor.shutdown();
    }

    /** Cancels {@code future} when there is one. */
    static void cancel(@Nullable ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }
}
