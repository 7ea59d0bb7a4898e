package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.device.CatchUpProgress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's progress lines: while a push or a catch-up runs longer than the interval, one line per interval with
 * rows done of total, rows per second and the time left ({@code push: 12,000 of 50,000 rows, 4,100 rows/s, ETA 9 s}),
 * and one line when it ends. Work shorter than the interval logs nothing here.
 *
 * <p>The status listener reports the events ({@link #pushing}, {@link #catchingUp}, {@link #caughtUp}); a daemon thread
 * writes the lines, reading how many changes are still pending from {@code pending}. Thread-safe.
 */
final class SyncProgress implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SyncProgress.class);

    private final Duration interval;
    private final LongSupplier pending;
    private final ScheduledExecutorService ticker;
    private @Nullable Episode push;
    private @Nullable Episode catchUp;

    /**
     * @param interval how often a line is written while work runs
     * @param pending the number of local changes not yet acknowledged (a cheap read)
     */
    SyncProgress(Duration interval, LongSupplier pending) {
        this.interval = requireNonNull(interval, "interval is null");
        this.pending = requireNonNull(pending, "pending is null");
        this.ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "pocketsync-progress");
            thread.setDaemon(true);
            return thread;
        });
        long millis = Math.max(1, interval.toMillis());
        ticker.scheduleAtFixedRate(this::tick, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** A PUSH went out; {@code pendingNow} changes were waiting in all. */
    synchronized void pushing(long pendingNow) {
        if (push == null) {
            push = new Episode("push", System.nanoTime(), pendingNow, false);
        }
        else {
            push.grow(pendingNow);
        }
    }

    /** A catch-up page was applied. */
    synchronized void catchingUp(CatchUpProgress progress) {
        if (catchUp == null) {
            catchUp = new Episode(progress.snapshot() ? "resync" : "catch-up", System.nanoTime(), 0, true);
        }
        catchUp.done = progress.rowsDone();
        catchUp.total = Math.max(progress.estimatedTotalRows(), progress.rowsDone());
    }

    /** The catch-up ended. */
    synchronized void caughtUp() {
        if (catchUp != null) {
            catchUp.finish();
            catchUp = null;
        }
    }

    /** The connection is gone: what ran is told as stopped, and starts over after the reconnect. */
    synchronized void disconnected() {
        push = null;
        catchUp = null;
    }

    private void tick() {
        try {
            long left = pending.getAsLong();
            synchronized (this) {
                if (push != null) {
                    if (left == 0) {
                        push.done = push.total;
                        push.finish();
                        push = null;
                    }
                    else {
                        push.grow(push.done + left);
                        push.done = push.total - left;
                        push.report(interval);
                    }
                }
                if (catchUp != null) {
                    catchUp.report(interval);
                }
            }
        }
        catch (RuntimeException e) {
            log.debug("progress not read: {}", e.toString());
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }

    /** One push or catch-up: rows done of total since it started. */
    private static final class Episode {
        final String what;
        final long startNanos;
        final boolean estimated;
        long total;
        long done;
        boolean reported;

        Episode(String what, long startNanos, long total, boolean estimated) {
            this.what = what;
            this.startNanos = startNanos;
            this.total = total;
            this.estimated = estimated;
        }

        void grow(long atLeast) {
            total = Math.max(total, atLeast);
        }

        void report(Duration interval) {
            long elapsed = System.nanoTime() - startNanos;
            if (elapsed < interval.toNanos()) {
                return;
            }
            reported = true;
            double rate = done / (elapsed / 1e9);
            String eta = rate <= 0 ? "unknown" : words(Math.round(Math.max(0, total - done) / rate));
            log.info("{}: {} of {}{} rows, {} rows/s, ETA {}", what, number(done), estimated ? "~" : "", number(total),
                    number(Math.round(rate)), eta);
        }

        void finish() {
            if (!reported) {
                return; // shorter than one interval: the other log lines say enough
            }
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            log.info("{}: done, {} rows in {} ({} rows/s)", what, number(done), words(Math.round(seconds)),
                    number(Math.round(done / Math.max(seconds, 0.001))));
        }
    }

    static String number(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /** "9 s", "3 min 20 s", "1 h 5 min". */
    static String words(long seconds) {
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min" + (seconds % 60 == 0 ? "" : " " + seconds % 60 + " s");
        }
        return seconds / 3600 + " h" + (seconds % 3600 / 60 == 0 ? "" : " " + seconds % 3600 / 60 + " min");
    }
}
