package io.pocketsync.store.redis;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Settings of the Redis store, keys under {@code store.redis}.
 *
 * @param uri the Redis URI ({@code uri}, default {@code redis://127.0.0.1:6379}; may carry a password, never logged)
 * @param prefix first part of every key and channel ({@code prefix}, default {@code pocketsync}); {@code [A-Za-z0-9._-]}
 * @param commandTimeout how long one command may take before {@code STORE_UNAVAILABLE} ({@code command-timeout}, default 5s)
 * @param connectTimeout how long a (re)connect may take ({@code connect-timeout}, default 5s)
 * @param maxAttempts optimistic attempts of one batch under contention before {@code STORE_UNAVAILABLE}
 *        ({@code max-attempts}, default 50)
 */
public record RedisStoreConfig(String uri, String prefix, Duration commandTimeout, Duration connectTimeout, int maxAttempts) {
    /** The config namespace. */
    public static final String NAMESPACE = "store.redis";
    /** Every key this store reads. */
    public static final List<String> KEYS = List.of("uri", "prefix", "command-timeout", "connect-timeout", "max-attempts");

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /**
     * Validates the settings.
     *
     * @param uri the Redis URI
     * @param prefix first part of every key and channel
     * @param commandTimeout how long one command may take
     * @param connectTimeout how long a (re)connect may take
     * @param maxAttempts optimistic attempts of one batch under contention, 1 to 10000
     */
    public RedisStoreConfig {
        requireNonNull(uri, "uri is null");
        requireNonNull(prefix, "prefix is null");
        requireNonNull(commandTimeout, "commandTimeout is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
        if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
            throw invalid("uri", "must start with redis:// or rediss://");
        }
        if (!PREFIX.matcher(prefix).matches()) {
            throw invalid("prefix", "must be 1-64 characters of [A-Za-z0-9._-]: " + prefix);
        }
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw invalid("command-timeout", "must be positive");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw invalid("connect-timeout", "must be positive");
        }
        if (maxAttempts < 1 || maxAttempts > 10_000) {
            throw invalid("max-attempts", "must be 1-10000: " + maxAttempts);
        }
    }

    /**
     * The defaults with another URI and prefix.
     *
     * @param uri the Redis URI
     * @param prefix first part of every key and channel
     * @return the settings
     */
    public static RedisStoreConfig of(String uri, String prefix) {
        return new RedisStoreConfig(uri, prefix, Duration.ofSeconds(5), Duration.ofSeconds(5), 50);
    }

    /**
     * Reads and validates the settings.
     *
     * @param config the keys under {@code store.redis}
     * @return the settings, defaults filled in
     * @throws PocketSyncException with {@code CONFIG_INVALID} for an unknown key or a bad value
     */
    public static RedisStoreConfig from(PluginConfig config) {
        config.validateKeys(KEYS);
        return new RedisStoreConfig(
                config.getString("uri", "redis://127.0.0.1:6379").trim(),
                config.getString("prefix", "pocketsync").trim(),
                config.getDuration("command-timeout", Duration.ofSeconds(5)),
                config.getDuration("connect-timeout", Duration.ofSeconds(5)),
                config.getInt("max-attempts", 50));
    }

    private static PocketSyncException invalid(String key, String message) {
        return new PocketSyncException(ErrorCode.CONFIG_INVALID, "'" + NAMESPACE + "." + key + "' " + message);
    }

    @Override
    public String toString() {
        // The URI may hold a password.
        return "RedisStoreConfig[uri=" + uri.replaceAll("//[^@/]*@", "//****@") + ", prefix=" + prefix
                + ", commandTimeout=" + commandTimeout + ", connectTimeout=" + connectTimeout + ", maxAttempts=" + maxAttempts + "]";
    }
}
