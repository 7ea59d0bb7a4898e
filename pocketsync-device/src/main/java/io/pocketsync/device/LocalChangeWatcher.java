package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.capture.ChangeCapture;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Notices local commits by any connection or process (docs/architecture.md 4.2): {@code PRAGMA data_version} is read at
 * every {@link #poll()} (the sync loop's tick), and within a fraction of a millisecond after a commit on a
 * connection from {@link PocketSyncDevice#connection()} (its commit hook, see {@link #commitHook()}). A new data
 * version first tells the sync loop, so the PUSH is on its way, then fires the local watchers of the tables whose
 * version moved.
 *
 * <p>Engine thread only, except {@link #commitHook()}.
 */
final class LocalChangeWatcher {
    /**
     * When to look again after a commit hook fired (microseconds after the hook): the hook runs before the
     * commit is visible, and the commit (an fsync) takes from a tenth of a millisecond to several, so the
     * engine looks often at first, then less often, until it sees the commit.
     */
    private static final long[] COMMIT_REPOLL_MICROS = {100, 200, 350, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 10_000,
        25_000};

    private final ChangeCapture capture;
    private final Watchers watchers;
    private final EngineThread engine;
    private final Runnable onLocalCommit;

    private long lastCounter;
    private Map<String, Long> lastVersions = new HashMap<>();
    /** The next entry of {@link #COMMIT_REPOLL_MICROS} after a commit hook; -1 when none is running. */
    private int commitRepollStep = -1;
    private long commitHookNanos;
    private @Nullable ScheduledFuture<?> commitRepoll;
    private volatile boolean stopped;

    /**
     * @param onLocalCommit runs on the engine thread when a new data version shows, before the watchers are told
     */
    LocalChangeWatcher(ChangeCapture capture, Watchers watchers, EngineThread engine, Runnable onLocalCommit) {
        this.capture = requireNonNull(capture, "capture is null");
        this.watchers = requireNonNull(watchers, "watchers is null");
        this.engine = requireNonNull(engine, "engine is null");
        this.onLocalCommit = requireNonNull(onLocalCommit, "onLocalCommit is null");
    }

    /** Takes the current data and table versions as seen. */
    void start() {
        lastCounter = capture.changeCounter();
        lastVersions = capture.tableVersions();
    }

    /** Looks for commits of other connections and processes; true when a new data version showed. */
    boolean poll() {
        if (stopped) {
            return false;
        }
        long counter = capture.changeCounter();
        if (counter == lastCounter) {
            return false;
        }
        long seen = lastCounter;
        lastCounter = counter;
        // Push first (reading the pending changes seals the journal), then tell local watchers: the PUSH is on its
        // way while the table versions are read. A commit to untracked tables only costs one empty read.
        try {
            onLocalCommit.run();
        }
        catch (RuntimeException | Error e) {
            lastCounter = seen; // not handled (a busy database, a failure): the next poll sees the commit again
            throw e;
        }
        Map<String, Long> versions = capture.tableVersions();
        Set<String> changed = new TreeSet<>();
        versions.forEach((table, version) -> {
            if (!version.equals(lastVersions.get(table))) {
                changed.add(table);
            }
        });
        lastVersions = versions;
        watchers.fire(changed, false);
        return true;
    }

    /**
     * A commit on a connection the app got from the device (any thread): look for new changes now. The hook
     * fires just before the commit becomes visible, so a poll that still sees the old data version is followed
     * by re-polls at {@link #COMMIT_REPOLL_MICROS} (each is one {@code PRAGMA data_version}) until one sees a new
     * version. Commits in quick succession share one series of re-polls.
     */
    void commitHook() {
        long hook = System.nanoTime();
        engine.run(() -> {
            commitHookNanos = hook;
            // a new version already: the commit was quick (or an earlier one shows); the regular poll is the backstop
            commitRepollStep = poll() ? -1 : 0;
            scheduleCommitRepoll();
        });
    }

    private void scheduleCommitRepoll() {
        if (commitRepollStep < 0 || commitRepollStep >= COMMIT_REPOLL_MICROS.length || stopped) {
            commitRepollStep = -1;
            return;
        }
        long due = commitHookNanos + TimeUnit.MICROSECONDS.toNanos(COMMIT_REPOLL_MICROS[commitRepollStep]);
        long delay = Math.max(0, due - System.nanoTime());
        if (commitRepoll != null && !commitRepoll.isDone()) {
            if (commitRepoll.getDelay(TimeUnit.NANOSECONDS) <= delay) {
                return; // the re-poll already scheduled comes first and continues the series
            }
            commitRepoll.cancel(false);
        }
        commitRepoll = engine.schedule(this::commitRepoll, delay, TimeUnit.NANOSECONDS);
    }

    private void commitRepoll() {
        if (commitRepollStep < 0) {
            return;
        }
        if (poll()) {
            commitRepollStep = -1; // the commit is visible and was handled
            return;
        }
        long elapsedMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - commitHookNanos);
        while (commitRepollStep < COMMIT_REPOLL_MICROS.length && COMMIT_REPOLL_MICROS[commitRepollStep] <= elapsedMicros) {
            commitRepollStep++;
        }
        scheduleCommitRepoll();
    }

    /** Stops looking; engine thread. */
    void stop() {
        stopped = true;
        EngineThread.cancel(commitRepoll);
    }
}
