package io.pocketsync.store.redis;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import org.jspecify.annotations.Nullable;

/**
 * Tells the Redis failures that stop the store from writing until an operator or Redis itself fixes something (out
 * of memory, a read-only replica, failed persistence, no connection) from other failures, and says them in an
 * operator's words. Stateless.
 */
final class RedisFaults {
    private RedisFaults() {}

    /**
     * Why Redis refused to write, short: for the error a device gets.
     *
     * @param e what Lettuce threw
     * @return e.g. "OOM (Redis is out of memory)", or null when this is not a storage fault (a script error, a bug)
     */
    static @Nullable String reason(RedisException e) {
        String said = String.valueOf(e.getMessage());
        if (said.startsWith("OOM")) {
            return "OOM (Redis is out of memory)";
        }
        if (said.startsWith("READONLY")) {
            return "READONLY (the store is connected to a read-only replica)";
        }
        if (said.startsWith("MISCONF")) {
            return "MISCONF (Redis refuses writes because it cannot persist)";
        }
        if (e instanceof RedisConnectionException || e instanceof RedisCommandTimeoutException
                || said.startsWith("Currently not connected") || said.contains("Connection closed")) {
            return "Redis unreachable";
        }
        return null;
    }

    /**
     * Why Redis refused to write, for {@code /health/ready} and the logs: what it means and what brings writes back.
     *
     * @param e what Lettuce threw; {@link #reason} is not null for it
     * @return the detail, ending with what Redis said
     */
    static String describe(RedisException e) {
        String said = String.valueOf(e.getMessage());
        String meaning;
        if (said.startsWith("OOM")) {
            meaning = "Redis OOM: used memory is above maxmemory and the eviction policy frees nothing; writes resume once"
                    + " memory is freed or maxmemory raised";
        }
        else if (said.startsWith("READONLY")) {
            meaning = "Redis READONLY: the store's connection reaches a read-only replica (after a failover?); writes resume"
                    + " once it is a primary again";
        }
        else if (said.startsWith("MISCONF")) {
            meaning = "Redis MISCONF: Redis refuses writes because its last RDB snapshot failed; writes resume once it can"
                    + " save again";
        }
        else {
            meaning = "Redis unreachable; writes resume once it is back";
        }
        return meaning + " (Redis said: " + said + ")";
    }
}
