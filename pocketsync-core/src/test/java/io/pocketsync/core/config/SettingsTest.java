package io.pocketsync.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.core.codec.CborCodec;
import io.pocketsync.core.codec.CodecLimits;
import io.pocketsync.core.discovery.Providers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir
    Path dir;

    private static ConfigSchema schema() {
        return new ConfigSchema()
                .register(ConfigKey.integer("transport.websocket.port", "port to listen on", 8080, 0, 65535),
                        ConfigKey.string("store.name", "server store", "sqlite"),
                        ConfigKey.duration("server.clock-skew", "allowed clock skew", "5m"),
                        ConfigKey.bool("auth.anonymous", "allow anonymous devices", false),
                        ConfigKey.string("auth.static-token", "a token", null))
                .delegate("store.redis");
    }

    @Test
    void loadsYamlAsDottedKeys() throws IOException {
        Path file = dir.resolve("pocketsync.yaml");
        Files.writeString(file, "transport:\n  websocket:\n    port: 9000\nstore:\n  name: redis\n  redis:\n"
                + "    uri: redis://127.0.0.1:6379\n    nodes: [a, b]\nauth:\n  anonymous: true\n");

        Settings settings = Settings.load(file);

        assertThat(settings.asMap()).containsEntry("transport.websocket.port", "9000")
                .containsEntry("store.redis.uri", "redis://127.0.0.1:6379")
                .containsEntry("store.redis.nodes", "a,b")
                .containsEntry("auth.anonymous", "true");
        schema().validate(settings);
        PluginConfig redis = settings.forNamespace("store.redis");
        assertThat(redis.namespace()).isEqualTo("store.redis");
        assertThat(redis.asMap()).containsOnlyKeys("uri", "nodes");
    }

    @Test
    void loadsProperties() throws IOException {
        Path file = dir.resolve("pocketsync.properties");
        Files.writeString(file, "transport.websocket.port = 9001\nserver.clock-skew=2m\n");

        Settings settings = Settings.load(file);

        assertThat(settings.forNamespace("transport.websocket").getInt("port", 0)).isEqualTo(9001);
        assertThat(settings.forNamespace("server").getDuration("clock-skew", Duration.ZERO)).isEqualTo(Duration.ofMinutes(2));
        assertThat(schema().valueOrDefault(settings, "store.name")).contains("sqlite");
    }

    @Test
    void anUnknownKeyNamesTheNearestValidKey() {
        Settings settings = Settings.of(Map.of("transport.websocket.prot", "9000"));

        assertThatThrownBy(() -> schema().validate(settings))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("'transport.websocket.prot'")
                .hasMessageContaining("did you mean 'transport.websocket.port'");
    }

    @Test
    void aBadValueIsRejectedWithoutEchoingSecrets() {
        assertThatThrownBy(() -> schema().validate(Settings.of(Map.of("transport.websocket.port", "99999"))))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("from 0 to 65535");
        assertThatThrownBy(() -> schema().validate(Settings.of(Map.of("server.clock-skew", "soon"))))
                .hasMessageContaining("duration");
        assertThatThrownBy(() -> Settings.load(dir.resolve("missing.yaml")))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID));
    }

    @Test
    void secretsAreMaskedInToString() {
        Settings settings = Settings.of(Map.of("auth.static-token", "hunter2", "store.redis.password", "pw",
                "store.name", "redis"));

        assertThat(settings.toString()).doesNotContain("hunter2").doesNotContain("=pw").contains("store.name=redis");
        assertThat(settings.forNamespace("store.redis").toString()).doesNotContain("pw");
    }

    @Test
    void overridesWinOverTheFile() {
        Settings settings = Settings.of(Map.of("store.name", "sqlite")).withOverrides(Map.of("store.name", "redis"));

        assertThat(settings.get("store.name")).contains("redis");
        assertThatThrownBy(() -> Settings.of(Map.of("store..name", "x")))
                .isInstanceOf(PocketSyncException.class);
    }

    @Test
    void thePluginContextCreatesCodecsByNameWithTheirSettings() {
        Settings settings = Settings.of(Map.of("codec.cbor.max-depth", "16"));
        DefaultPluginContext context = new DefaultPluginContext("node-1", Clock.systemUTC(), Providers.codecs(), settings);

        Codec codec = context.codec("cbor");

        assertThat(((CborCodec) codec).limits()).isEqualTo(new CodecLimits(32 << 20, 16));
        assertThat(context.codec("cbor")).isSameAs(codec);
        assertThat(context.nodeId()).isEqualTo("node-1");
        assertThat(context.service(String.class)).isEmpty();
        assertThatThrownBy(() -> context.codec("xml"))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_NOT_FOUND));
    }
}
