package io.pocketsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisStoreConfigTest {
    @Test
    void defaults() {
        assertThat(RedisStoreConfig.from(PluginConfig.empty(RedisStoreConfig.NAMESPACE))).isEqualTo(new RedisStoreConfig(
                "redis://127.0.0.1:6379", "pocketsync", Duration.ofSeconds(5), Duration.ofSeconds(5), 50));
    }

    @Test
    void everyKeyIsMapped() {
        RedisStoreConfig config = RedisStoreConfig.from(PluginConfig.of(RedisStoreConfig.NAMESPACE, Map.of(
                "uri", "redis://:secret@redis.internal:6380/2", "prefix", "fleet", "command-timeout", "2s",
                "connect-timeout", "750ms", "max-attempts", "7")));

        assertThat(config).isEqualTo(new RedisStoreConfig("redis://:secret@redis.internal:6380/2", "fleet",
                Duration.ofSeconds(2), Duration.ofMillis(750), 7));
        assertThat(config.toString()).doesNotContain("secret").contains("redis.internal");
    }

    @Test
    void unknownKeyIsRejectedWithTheNearestKey() {
        assertThatThrownBy(() -> RedisStoreConfig.from(PluginConfig.of(RedisStoreConfig.NAMESPACE, Map.of("url", "redis://x"))))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("store.redis.url").hasMessageContaining("store.redis.uri");
    }

    @Test
    void badValuesAreRejected() {
        for (Map<String, String> values : List.of(Map.of("prefix", "a{b}"), Map.of("prefix", ""), Map.of("uri", "http://x"),
                Map.of("max-attempts", "0"), Map.of("command-timeout", "0s"))) {
            assertThatThrownBy(() -> RedisStoreConfig.from(PluginConfig.of(RedisStoreConfig.NAMESPACE, values)))
                    .isInstanceOfSatisfying(PocketSyncException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID));
        }
    }
}
