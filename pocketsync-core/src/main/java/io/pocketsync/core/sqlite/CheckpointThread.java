package io.pocketsync.core.sqlite;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread that runs a SQLite writer's WAL checkpoints, so that the writer's commits do not: SQLite's automatic
 * checkpoint runs inside the COMMIT that finds the WAL over {@code wal_autocheckpoint} pages, on the thread that
 * committed, and costs it a write per page and two fsyncs. The writer tells the pages its commits wrote, an estimate
 * ({@link #committed}); once about {@code pages} accumulated, the thread runs the checkpoint (a {@code PASSIVE} one on
 * a connection of its own, which never blocks the writer or readers), at most once every {@code interval}: commits
 * that come in meanwhile wait for the next round. The writer keeps SQLite's automatic checkpoint, set higher, as the
 * backstop that lets the WAL start over when a passive checkpoint could not finish.
 *
 * <p>Thread-safe: {@link #committed} from the writer's thread, {@link #close} once.
 */
public final class CheckpointThread implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointThread.class);
    private static final Duration JOIN = Duration.ofSeconds(10);

    private final int pagesPerCheckpoint;
    private final Duration interval;
    private final Runnable checkpoint;
    private final Thread thread;
    private final Object signal = new Object();
    private long pages;
    private boolean pending;
    private boolean closed;

    /**
     * Starts the thread.
     *
     * @param name the thread's name
     * @param pagesPerCheckpoint WAL pages (estimated) after which a checkpoint runs
     * @param interval the shortest time between two checkpoints
     * @param checkpoint runs one checkpoint; handles its own failures (a busy file leaves the pages to the backstop)
     * @return the running thread
     */
    public static CheckpointThread start(String name, int pagesPerCheckpoint, Duration interval, Runnable checkpoint) {
        CheckpointThread started = new CheckpointThread(name, pagesPerCheckpoint, interval, checkpoint);
        started.thread.start();
        return started;
    }

    private CheckpointThread(String name, int pagesPerCheckpoint, Duration interval, Runnable checkpoint) {
        requireNonNull(name, "name is null");
        if (pagesPerCheckpoint < 1) {
            throw new IllegalArgumentException("pagesPerCheckpoint must be at least 1: " + pagesPerCheckpoint);
        }
        this.pagesPerCheckpoint = pagesPerCheckpoint;
        this.interval = requireNonNull(interval, "interval is null");
        this.checkpoint = requireNonNull(checkpoint, "checkpoint is null");
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    /**
     * The writer committed about {@code walPages} pages. Cheap; never waits for a checkpoint.
     *
     * @param walPages the pages the commit wrote to the WAL, estimated
     */
    public void committed(long walPages) {
        synchronized (signal) {
            pages += walPages;
            if (pages >= pagesPerCheckpoint && !pending) {
                pages = 0;
                pending = true;
                signal.notifyAll();
            }
        }
    }

    /**
     * Whether the thread still runs.
     *
     * @return true until {@link #close}
     */
    public boolean running() {
        return thread.isAlive();
    }

    private void run() {
        try {
            while (awaitCommit()) {
                try {
                    checkpoint.run();
                }
                catch (RuntimeException e) {
                    // a bug in the action: the writer's automatic checkpoint still copies the pages; keep the thread
                    LOG.warn("background WAL checkpoint failed", e);
                }
                synchronized (signal) {
                    if (!closed) {
                        signal.wait(interval.toMillis()); // commits in the meantime wait for the next round
                    }
                }
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean awaitCommit() throws InterruptedException {
        synchronized (signal) {
            while (!pending && !closed) {
                signal.wait();
            }
            pending = false;
            return !closed;
        }
    }

    /** Stops the thread; a checkpoint under way finishes first (waited for up to 10 s). */
    @Override
    public void close() {
        synchronized (signal) {
            closed = true;
            signal.notifyAll();
        }
        try {
            thread.join(JOIN.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
