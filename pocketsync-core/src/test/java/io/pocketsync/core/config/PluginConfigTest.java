package io.pocketsync.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checks of the api's {@link PluginConfig} and {@link Identifiers} helpers that the config code builds on. */
class PluginConfigTest {
    @Test
    void parsesDurations() {
        assertThat(PluginConfig.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(PluginConfig.parseDuration("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(PluginConfig.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(PluginConfig.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(PluginConfig.parseDuration("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(PluginConfig.parseDuration("PT5M")).isEqualTo(Duration.ofMinutes(5));
        assertThat(PluginConfig.parseDuration("30")).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> PluginConfig.parseDuration("5 weeks")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void typedGettersReportTheFullKey() {
        PluginConfig config = PluginConfig.of("store.redis", Map.of("timeout", "soon", "pool", "x", "tls", "yes"));

        assertThatThrownBy(() -> config.getDuration("timeout", Duration.ZERO))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("store.redis.timeout");
        assertThatThrownBy(() -> config.getInt("pool", 1)).hasMessageContaining("store.redis.pool");
        assertThatThrownBy(() -> config.getBoolean("tls", false)).hasMessageContaining("true or false");
        assertThat(config.getLong("missing", 7)).isEqualTo(7);
    }

    @Test
    void didYouMean() {
        PluginConfig config = PluginConfig.of("store.redis", Map.of("urri", "redis://x"));

        assertThatThrownBy(() -> config.validateKeys(List.of("uri", "key-prefix", "cluster")))
                .hasMessage("unknown configuration key 'store.redis.urri'; did you mean 'store.redis.uri'?");
        assertThat(PluginConfig.editDistance("kitten", "sitting")).isEqualTo(3);
    }

    @Test
    void identifiers() {
        assertThat(Identifiers.isScopeOrDeviceId("user:alice@example.com")).isTrue();
        assertThat(Identifiers.isScopeOrDeviceId("a/b")).isFalse();
        assertThat(Identifiers.isScopeOrDeviceId("x".repeat(129))).isFalse();
        assertThat(Identifiers.isChangeId("dev-a:1")).isTrue();
        assertThat(Identifiers.isChangeId("a@b")).isFalse();
        assertThat(Identifiers.isSqlName("weird \"name\"")).isTrue();
        assertThat(Identifiers.isSqlName("bad\u0000name")).isFalse();
        assertThat(Identifiers.quoteSql("my\"table")).isEqualTo("\"my\"\"table\"");
        assertThatThrownBy(() -> Identifiers.requireScopeOrDeviceId("a b", "scope"))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_INVALID));
    }
}
