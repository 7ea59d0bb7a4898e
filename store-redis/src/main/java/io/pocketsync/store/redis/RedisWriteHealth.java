package io.pocketsync.store.redis;

import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Health;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.server.engine.store.WriteHealth;
import java.time.Duration;

/**
 * Whether the Redis store can write ({@link RedisServerStore#health()}): down from a write Redis refused ({@code OOM},
 * {@code READONLY}, {@code MISCONF}) or could not take (unreachable) until a write succeeds again; meanwhile at most
 * once a second a probe sets this node's probe key, which expires after a minute. Thread-safe.
 */
final class RedisWriteHealth {
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

    private final RedisCommands<String, String> commands;
    private final String probeKey;
    private final WriteHealth health = new WriteHealth("Redis store", this::probe, PROBE_INTERVAL);

    RedisWriteHealth(RedisCommands<String, String> commands, String prefix, String nodeId) {
        this.commands = commands;
        this.probeKey = RedisKeys.probe(prefix, nodeId);
    }

    Health health() {
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
