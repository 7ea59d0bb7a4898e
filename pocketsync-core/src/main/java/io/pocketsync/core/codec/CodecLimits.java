package io.pocketsync.core.codec;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import java.util.List;

/**
 * The bounds a codec enforces while decoding.
 *
 * @param maxMessageBytes largest accepted input, in bytes ({@code max-message-bytes}, default 32 MiB): a whole message,
 *        after a transport rebuilt it from fragments (a transport bounds each frame itself, 1 MiB by default)
 * @param maxDepth deepest accepted nesting of maps and arrays ({@code max-depth}, default 32)
 */
public record CodecLimits(int maxMessageBytes, int maxDepth) {
    /** Config key of {@link #maxMessageBytes()}. */
    public static final String MAX_MESSAGE_BYTES = "max-message-bytes";
    /** Config key of {@link #maxDepth()}. */
    public static final String MAX_DEPTH = "max-depth";
    /** 32 MiB (the transports' default {@code max-assembled-bytes}) and 32 levels. */
    public static final CodecLimits DEFAULT = new CodecLimits(32 << 20, 32);

    // A PUSH change row with a blob is nested 5 deep and an ACK winner's blob 6 deep.
    private static final int SMALLEST_USEFUL_DEPTH = 8;

    /**
     * Validates the limits.
     *
     * @param maxMessageBytes largest accepted input, in bytes; at least 64
     * @param maxDepth deepest accepted nesting of maps and arrays, 8 to 1000
     * @throws PocketSyncException with {@link ErrorCode#CONFIG_INVALID} when out of range
     */
    public CodecLimits {
        if (maxMessageBytes < 64) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, MAX_MESSAGE_BYTES + " must be at least 64: " + maxMessageBytes);
        }
        if (maxDepth < SMALLEST_USEFUL_DEPTH || maxDepth > 1000) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID,
                    MAX_DEPTH + " must be between " + SMALLEST_USEFUL_DEPTH + " and 1000: " + maxDepth);
        }
    }

    /**
     * Reads the limits from a codec's config ({@code codec.<name>} namespace); unknown keys fail.
     *
     * @param config the codec's keys
     * @return the limits, defaults filled in
     * @throws PocketSyncException with {@link ErrorCode#CONFIG_INVALID} for an unknown key or a bad value
     */
    public static CodecLimits from(PluginConfig config) {
        config.validateKeys(List.of(MAX_MESSAGE_BYTES, MAX_DEPTH));
        return new CodecLimits(config.getInt(MAX_MESSAGE_BYTES, DEFAULT.maxMessageBytes),
                config.getInt(MAX_DEPTH, DEFAULT.maxDepth));
    }
}
