package io.pocketsync.store.redis;

import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Health;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.server.engine.store.WriteHealth;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Whether the Redis store can write ({@link RedisServerStore#health()}): down from a write Redis refused ({@code OOM},
 * {@code READONLY}, {@code MISCONF}) or could not take (unreachable), and from the moment the store's connection drops
 * even with no write under way, until a write succeeds again; meanwhile at most once a second a probe sets this node's
 * probe key, which expires after a minute. Thread-safe.
 */
final class RedisWriteHealth {
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

    /** Said while the connection is down and no write has failed yet; no URI, which may hold a password. */
    static final String DISCONNECTED = "Redis unreachable; writes resume once it is back (the store's connection to"
            + " Redis dropped; reconnecting)";

    private final RedisCommands<String, String> commands;
    private final BooleanSupplier connected;
    private final String probeKey;
    private final WriteHealth health = new WriteHealth("Redis store", this::probe, PROBE_INTERVAL);

    /**
     * @param commands the store's connection, for the probe
     * @param connected whether that connection is up now (Lettuce knows at once when Redis closes it)
     * @param prefix the store's key prefix
     * @param nodeId this node's id, in the probe key's name
     */
    RedisWriteHealth(RedisCommands<String, String> commands, BooleanSupplier connected, String prefix, String nodeId) {
        this.commands = commands;
        this.connected = connected;
        this.probeKey = RedisKeys.probe(prefix, nodeId);
    }

    /**
     * Up or down as the last write or probe found, but down at once when the connection has dropped: with devices
     * idle no write would fail, and readiness would say up while every batch is rejected.
     */
    Health health() {
        if (!health.down() && !connected.getAsBoolean()) {
            health.failed(DISCONNECTED);
        }
        return health.health();
    }

    /** A write succeeded. */
    void succeeded() {
        health.succeeded();
    }

    /** A write failed with {@code e}: a storage fault turns health down, anything else (a script error) does not. */
    void failed(PocketSyncException e) {
        if (e.getCause() instanceof RedisException redis && RedisFaults.reason(redis) != null) {
            health.failed(RedisFaults.describe(redis));
        }
    }

    private boolean probe() {
        try {
            commands.set(probeKey, Long.toString(System.currentTimeMillis()), SetArgs.Builder.px(60_000));
            return true;
        }
        catch (RedisException e) {
            String reason = RedisFaults.reason(e);
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, reason == null ? "Redis failed: " + e.getMessage()
                    : RedisFaults.describe(e), e);
        }
    }
}
