package io.pocketsync.store.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Test plumbing: the shared Redis URI, unique prefixes, and deleting only a test's own keys. */
public final class RedisTestSupport {
    private RedisTestSupport() {}

    /** {@code PS_REDIS_URI}, default {@code redis://127.0.0.1:6379}. */
    public static String uri() {
        String uri = System.getenv("PS_REDIS_URI");
        return uri == null || uri.isBlank() ? "redis://127.0.0.1:6379" : uri;
    }

    public static String uniquePrefix() {
        return "pstest-" + UUID.randomUUID();
    }

    /** Deletes every key under {@code prefix:} (SCAN MATCH, never FLUSH); returns how many. */
    public static int deleteKeys(String uri, String prefix) {
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            List<String> keys = new ArrayList<>();
            ScanIterator.scan(connection.sync(), ScanArgs.Builder.matches(prefix + ":*").limit(500)).forEachRemaining(keys::add);
            for (int i = 0; i < keys.size(); i += 500) {
                connection.sync().unlink(keys.subList(i, Math.min(keys.size(), i + 500)).toArray(String[]::new));
            }
            return keys.size();
        }
        finally {
            client.shutdown();
        }
    }
}
