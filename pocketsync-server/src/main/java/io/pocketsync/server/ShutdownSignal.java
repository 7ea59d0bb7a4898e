package io.pocketsync.server;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a foreground command when to stop, and tells whoever asked for the stop when the command has
 * finished closing. The CLI installs a JVM shutdown hook (SIGTERM, SIGINT) that requests a stop and
 * waits for {@link #awaitStopped}, so the JVM does not exit before stores are closed and pending device
 * changes are flushed; tests call {@link #requestStop()} directly.
 *
 * <p>Thread-safe. One signal serves one command run.
 */
public final class ShutdownSignal {
    private static final Logger log = LoggerFactory.getLogger(ShutdownSignal.class);

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean failed = new AtomicBoolean();
    /** How long {@link #fail} waits for the command to close before halting the JVM; null never halts (tests). */
    private final Duration haltAfter;

    /** A signal for a command run in-process (tests, embedding): {@link #fail} never halts the JVM. */
    public ShutdownSignal() {
        this(null);
    }

    private ShutdownSignal(Duration haltAfter) {
        this.haltAfter = haltAfter;
    }

    /**
     * A signal that a JVM shutdown hook triggers; the hook waits up to {@code grace} for the command to close.
     *
     * @param grace how long the hook waits for {@link #markStopped()} before the JVM exits anyway
     * @return a new signal with its hook registered
     */
    public static ShutdownSignal onJvmShutdown(Duration grace) {
        ShutdownSignal signal = new ShutdownSignal(grace);
        Thread hook = new Thread(() -> {
            signal.requestStop();
            try {
                if (!signal.stopped.await(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("Did not stop within {}; exiting anyway", grace);
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pocketsync-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return signal;
    }

    /** Asks the running command to stop; idempotent. */
    public void requestStop() {
        stopRequested.countDown();
    }

    /**
     * Asks the running command to stop after a fatal error (see {@code FatalExit}). For a signal of the real process
     * ({@link #onJvmShutdown}), the JVM is halted with exit code 1 if the command has not closed within the grace: after
     * an {@link OutOfMemoryError} closing may hang, and a process that neither serves nor exits is the worst outcome.
     * Idempotent.
     */
    public void fail() {
        requestStop();
        if (haltAfter == null || !failed.compareAndSet(false, true)) {
            return;
        }
        Thread halt = new Thread(() -> {
            try {
                if (!stopped.await(haltAfter.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.error("Did not stop within {} after a fatal error; halting", haltAfter);
                    Runtime.getRuntime().halt(CliErrorHandler.FAILURE);
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pocketsync-fatal-halt");
        halt.setDaemon(true);
        halt.start();
    }

    /**
     * Whether a stop was requested.
     *
     * @return true once {@link #requestStop()} has been called
     */
    public boolean isStopRequested() {
        return stopRequested.getCount() == 0;
    }

    /**
     * Blocks until a stop is requested.
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public void awaitStopRequest() throws InterruptedException {
        stopRequested.await();
    }

    /**
     * Blocks until a stop is requested, at most {@code timeout}.
     *
     * @param timeout the longest wait (millisecond precision)
     * @return whether a stop was requested
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean awaitStopRequest(Duration timeout) throws InterruptedException {
        return stopRequested.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Called by the command once everything it started is closed. */
    public void markStopped() {
        stopped.countDown();
    }

    /**
     * Blocks until the command has closed, at most {@code timeout}.
     *
     * @param timeout the longest wait (millisecond precision)
     * @return whether the command called {@link #markStopped()} in time
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
