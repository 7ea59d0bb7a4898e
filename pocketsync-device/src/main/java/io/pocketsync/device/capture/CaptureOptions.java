package io.pocketsync.device.capture;

import io.pocketsync.api.PluginConfig;
import java.time.Duration;
import java.util.List;

/**
 * Options of the {@code sqlite-triggers} capture (config namespace {@code capture.sqlite-triggers}).
 *
 * @param busyTimeout how long the engine's connection waits for another writer ({@code busy-timeout}, default 10s)
 * @param processedRetention how long ids of applied remote changes are kept for dedupe ({@code processed-retention}, 7d)
 * @param processedMaxRows at most this many ids are kept ({@code processed-max-rows}, 100000)
 * @param ackedKeepRows acknowledged local changes kept for inspection ({@code acked-keep-rows}, 10000)
 * @param rowSequencesBehind per-row server sequences are kept while they are less than this many sequences behind
 *     the cursor ({@code row-sequences-behind}, 100000); older ones are pruned while nothing is pending or
 *     deferred (they can no longer decide anything, see {@code RemoteApplier}), so the table does not keep one
 *     record for every row ever synced
 */
public record CaptureOptions(Duration busyTimeout, Duration processedRetention, int processedMaxRows, int ackedKeepRows,
        int rowSequencesBehind) {
    public static final CaptureOptions DEFAULTS = new CaptureOptions(Duration.ofSeconds(10), Duration.ofDays(7), 100_000, 10_000,
            100_000);

    static final List<String> KEYS = List.of("busy-timeout", "processed-retention", "processed-max-rows", "acked-keep-rows",
            "row-sequences-behind");

    public CaptureOptions {
        if (busyTimeout.isNegative() || processedRetention.isNegative() || processedMaxRows < 0 || ackedKeepRows < 0
                || rowSequencesBehind < 0) {
            throw new IllegalArgumentException("capture options must not be negative");
        }
    }

    /** The options with the default {@link #rowSequencesBehind()}. */
    public CaptureOptions(Duration busyTimeout, Duration processedRetention, int processedMaxRows, int ackedKeepRows) {
        this(busyTimeout, processedRetention, processedMaxRows, ackedKeepRows, 100_000);
    }

    /** Reads the options from configuration, rejecting unknown keys. */
    public static CaptureOptions from(PluginConfig config) {
        config.validateKeys(KEYS);
        return new CaptureOptions(
                config.getDuration("busy-timeout", DEFAULTS.busyTimeout),
                config.getDuration("processed-retention", DEFAULTS.processedRetention),
                config.getInt("processed-max-rows", DEFAULTS.processedMaxRows),
                config.getInt("acked-keep-rows", DEFAULTS.ackedKeepRows),
                config.getInt("row-sequences-behind", DEFAULTS.rowSequencesBehind));
    }
}
