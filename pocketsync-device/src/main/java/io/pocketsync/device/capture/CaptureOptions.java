package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.PluginConfig;
import java.time.Duration;
import java.util.List;

/**
 * Options of the {@code sqlite-triggers} capture (config namespace {@code capture.sqlite-triggers}).
 *
 * @param busyTimeout how long the engine's connection waits for another writer ({@code busy-timeout}, default 10s)
 * @param ackedKeepRows acknowledged local changes kept for inspection ({@code acked-keep-rows}, 10000)
 * @param rowSequencesBehind per-row server sequences are kept while they are less than this many sequences behind
 *     the cursor ({@code row-sequences-behind}, 100000); older ones are pruned while nothing is pending or
 *     deferred (they can no longer decide anything, see {@code RemoteApplier}), so the table does not keep one
 *     record for every row ever synced
 * @param journalMode whether the engine switches the file to WAL ({@code journal-mode}: {@code wal}, the default, or
 *     {@code keep}); see {@link JournalMode}
 * @param progressInterval how often installing logs its progress while it seals the existing rows of a big table
 *     ({@code progress-interval}, 5s); an install shorter than this logs none
 */
public record CaptureOptions(Duration busyTimeout, int ackedKeepRows, int rowSequencesBehind, JournalMode journalMode,
        Duration progressInterval) {
    /** The defaults: 10 s busy timeout, 10000 acknowledged rows kept, row sequences pruned 100000 behind, WAL, 5 s progress. */
    public static final CaptureOptions DEFAULTS = new CaptureOptions(Duration.ofSeconds(10), 10_000, 100_000, JournalMode.WAL,
            Duration.ofSeconds(5));

    static final List<String> KEYS = List.of("busy-timeout", "acked-keep-rows", "row-sequences-behind", "journal-mode",
            "progress-interval");

    /**
     * Validates the options.
     *
     * @param busyTimeout how long the engine's connection waits for a lock the app holds; not negative, not null
     * @param ackedKeepRows acknowledged change-log rows kept for diagnostics; not negative
     * @param rowSequencesBehind how far behind the cursor per-row server sequences are kept; not negative
     * @param journalMode whether the engine switches the file to WAL; not null
     * @param progressInterval how often a long install logs its progress; positive, not null
     * @throws NullPointerException when a duration or {@code journalMode} is null
     * @throws IllegalArgumentException when the timeout or a count is negative, or the interval not positive
     */
    public CaptureOptions {
        requireNonNull(busyTimeout, "busyTimeout is null");
        requireNonNull(journalMode, "journalMode is null");
        requireNonNull(progressInterval, "progressInterval is null");
        if (busyTimeout.isNegative() || ackedKeepRows < 0 || rowSequencesBehind < 0 || progressInterval.isNegative()
                || progressInterval.isZero()) {
            throw new IllegalArgumentException("capture options must not be negative");
        }
    }

    /**
     * Options with the default progress interval (5 s).
     *
     * @param busyTimeout how long the engine's connection waits for a lock the app holds; not negative, not null
     * @param ackedKeepRows acknowledged change-log rows kept for diagnostics; not negative
     * @param rowSequencesBehind how far behind the cursor per-row server sequences are kept; not negative
     * @param journalMode whether the engine switches the file to WAL; not null
     */
    public CaptureOptions(Duration busyTimeout, int ackedKeepRows, int rowSequencesBehind, JournalMode journalMode) {
        this(busyTimeout, ackedKeepRows, rowSequencesBehind, journalMode, Duration.ofSeconds(5));
    }

    /**
     * Options that switch the file to WAL ({@link JournalMode#WAL}).
     *
     * @param busyTimeout how long the engine's connection waits for a lock the app holds; not negative, not null
     * @param ackedKeepRows acknowledged change-log rows kept for diagnostics; not negative
     * @param rowSequencesBehind how far behind the cursor per-row server sequences are kept; not negative
     */
    public CaptureOptions(Duration busyTimeout, int ackedKeepRows, int rowSequencesBehind) {
        this(busyTimeout, ackedKeepRows, rowSequencesBehind, JournalMode.WAL, Duration.ofSeconds(5));
    }

    /**
     * Reads the options from configuration, rejecting unknown keys.
     *
     * @param config the capture provider's keys ({@code busy-timeout}, {@code acked-keep-rows},
     *        {@code row-sequences-behind}, {@code journal-mode}, {@code progress-interval}); a missing key takes its
     *        default
     * @return the options
     * @throws io.pocketsync.api.PocketSyncException {@code CONFIG_INVALID} when a key is unknown or a value does not parse
     */
    public static CaptureOptions from(PluginConfig config) {
        config.validateKeys(KEYS);
        return new CaptureOptions(
                config.getDuration("busy-timeout", DEFAULTS.busyTimeout),
                config.getInt("acked-keep-rows", DEFAULTS.ackedKeepRows),
                config.getInt("row-sequences-behind", DEFAULTS.rowSequencesBehind),
                JournalMode.parse(config.getString("journal-mode", "wal")),
                config.getDuration("progress-interval", DEFAULTS.progressInterval));
    }
}
