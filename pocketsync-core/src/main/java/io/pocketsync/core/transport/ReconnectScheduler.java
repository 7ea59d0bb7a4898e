package io.pocketsync.core.transport;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.transport.ReconnectPolicy;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client transport's reconnect loop: connection attempts run one at a time on one daemon thread, the
 * first at once, each one after a failure or a lost connection after the {@link ReconnectPolicy} delay of
 * the number of failures in a row (exponential backoff with full jitter, capped), which a successful
 * connection resets.
 *
 * <p>The transport says what an attempt is ({@code attempt}, run on this thread) and reports how attempts
 * end: {@link #connected()} on success, {@link #retryLater()} on a failure or a lost connection. The same
 * thread runs the transport's own timers ({@link #after}), e.g. a handshake timeout. After {@link #close}
 * nothing runs any more and every call is ignored.
 *
 * <p>Thread-safe.
 */
public final class ReconnectScheduler implements AutoCloseable {
    private final ReconnectPolicy policy;
    private final Runnable attempt;
    private final AtomicInteger failures = new AtomicInteger();
    /** No attempt runs before this {@link System#nanoTime()} ({@link #holdFor}); 0 for none. */
    private volatile long notBeforeNanos;
    private final AtomicBoolean resumeQueued = new AtomicBoolean();
    private final ScheduledExecutorService thread;

    /**
     * @param threadName the name of the loop's thread
     * @param policy the backoff between attempts
     * @param attempt one connection attempt; it must not block for long (it shares the thread with the timers)
     */
    public ReconnectScheduler(String threadName, ReconnectPolicy policy, Runnable attempt) {
        requireNonNull(threadName, "threadName is null");
        this.policy = requireNonNull(policy, "policy is null");
        requireNonNull(attempt, "attempt is null");
        this.attempt = () -> heldOr(attempt);
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread created = new Thread(runnable, threadName);
            created.setDaemon(true);
            return created;
        });
    }

    /** Runs an attempt now (the first one, at start). */
    public void connectNow() {
        after(Duration.ZERO, attempt);
    }

    /**
     * An attempt failed or the connection was lost: the next attempt runs after the backoff delay.
     *
     * @return the delay chosen
     */
    public Duration retryLater() {
        Duration delay = policy.delay(failures.getAndIncrement());
        after(delay, attempt);
        return delay;
    }

    /**
     * No attempt runs before {@code delay} from now: one scheduled earlier (by {@link #retryLater}) waits until then.
     * For a refusal that retrying soon cannot fix ({@link io.pocketsync.api.transport.ClientTransport#pause}).
     *
     * @param delay how long attempts wait; zero or negative lifts a hold
     */
    public void holdFor(Duration delay) {
        long until = System.nanoTime() + Math.max(0, delay.toNanos());
        notBeforeNanos = delay.isNegative() || delay.isZero() ? 0 : (until == 0 ? 1 : until);
    }

    private void heldOr(Runnable run) {
        long notBefore = notBeforeNanos;
        long wait = notBefore == 0 ? 0 : notBefore - System.nanoTime();
        if (wait > 0) {
            // one attempt runs when the hold ends; others queued meanwhile (each lost connection queues one) are dropped
            if (resumeQueued.compareAndSet(false, true)) {
                after(Duration.ofNanos(wait), () -> {
                    resumeQueued.set(false);
                    heldOr(run);
                });
            }
            return;
        }
        run.run();
    }

    /** An attempt succeeded: the backoff starts again from its initial delay. */
    public void connected() {
        failures.set(0);
    }

    /**
     * Runs {@code task} on the loop's thread after {@code delay}; ignored once closed.
     *
     * @param delay how long to wait
     * @param task what to run
     */
    public void after(Duration delay, Runnable task) {
        requireNonNull(task, "task is null");
        try {
            thread.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        }
        catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /**
     * Whether {@link #close} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return thread.isShutdown();
    }

    /** Stops the loop: scheduled attempts and timers are dropped, a running one is interrupted. Idempotent. */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
