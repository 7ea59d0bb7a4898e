package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: the work of one session is
 * serialised without a thread per session, and a slow task of one session never blocks another
 * session's tasks beyond the shared pool's size.
 *
 * <p>Thread-safe.
 */
final class SerialExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

    private final Executor executor;
    private final int maxQueued;
    private final Queue<Runnable> queue = new ArrayDeque<>();
    private boolean running;

    SerialExecutor(Executor executor, int maxQueued) {
        this.executor = requireNonNull(executor, "executor is null");
        this.maxQueued = maxQueued;
    }

    /** Queues a task unless {@code maxQueued} tasks are already waiting; returns whether it was queued. */
    boolean tryExecute(Runnable task) {
        return submit(task, false);
    }

    /** Queues a task regardless of the bound (for the engine's own bookkeeping tasks). */
    void execute(Runnable task) {
        submit(task, true);
    }

    private boolean submit(Runnable task, boolean force) {
        requireNonNull(task, "task is null");
        synchronized (this) {
            if (!force && queue.size() >= maxQueued) {
                return false;
            }
            queue.add(task);
            if (running) {
                return true;
            }
            running = true;
        }
        try {
            executor.execute(this::drain);
        }
        catch (RuntimeException e) {
            // the pool is shut down: nothing will run any more, drop the queue
            synchronized (this) {
                queue.clear();
                running = false;
            }
        }
        return true;
    }

    private void drain() {
        Runnable next;
        synchronized (this) {
            next = queue.poll();
        }
        try {
            next.run();
        }
        catch (RuntimeException e) {
            LOG.error("session task failed", e);
        }
        finally {
            // an Error goes on to the pool thread's handler (the server command exits on it), but the session's next
            // tasks still run: left 'running' with nobody draining, the session would stall without a word
            drainNext();
        }
    }

    private void drainNext() {
        synchronized (this) {
            if (queue.isEmpty()) {
                running = false;
                return;
            }
        }
        // one task per turn, then back in line: a busy session cannot monopolise a pool thread
        try {
            executor.execute(this::drain);
        }
        catch (RuntimeException e) {
            synchronized (this) {
                queue.clear();
                running = false;
            }
        }
    }
}
