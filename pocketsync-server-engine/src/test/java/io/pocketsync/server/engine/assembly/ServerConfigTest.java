package io.pocketsync.server.engine.assembly;

import static io.pocketsync.server.engine.assembly.TestingPlugins.storeNamed;
import static io.pocketsync.server.engine.assembly.TestingPlugins.transportNamed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.core.config.Settings;
import io.pocketsync.server.engine.LoginLimits;
import io.pocketsync.server.engine.ServerOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
    private static final ServerPlugins PLUGINS = TestingPlugins.of(List.of(storeNamed("sqlite"), storeNamed("redis")),
            List.of(transportNamed("websocket"), transportNamed("mqtt")));

    private static ServerConfig config(Map<String, String> keys) {
        return ServerConfig.from(Settings.of(keys), PLUGINS);
    }

    @Test
    void defaults() {
        ServerConfig config = config(Map.of());

        assertThat(config.store()).isEqualTo("sqlite");
        assertThat(config.transports()).containsExactly("websocket");
        assertThat(config.auth()).isEmpty();
        assertThat(config.allowAnonymous()).isFalse();
        assertThat(config.defaultResolver()).isEqualTo("last-write-wins");
        assertThat(config.tableResolvers()).isEmpty();
        assertThat(config.options()).usingRecursiveComparison().ignoringFields("nodeId").isEqualTo(ServerOptions.defaults());
        assertThat(config.options().nodeId()).as("read once").isSameAs(config.options().nodeId());
        assertThat(ServerConfig.defaults()).containsExactly(Map.entry("server.store", "sqlite"),
                Map.entry("server.transports", "websocket"), Map.entry("server.allow-anonymous", "false"),
                Map.entry("resolver.default", "last-write-wins"));
    }

    @Test
    void everyKeyMapsToItsValue() {
        ServerConfig config = config(Map.ofEntries(
                Map.entry("server.store", "redis"),
                Map.entry("store.redis.uri", "redis://127.0.0.1:6379"),
                Map.entry("server.transports", " mqtt , websocket "),
                Map.entry("transport.mqtt.uri", "tcp://127.0.0.1:1883"),
                Map.entry("transport.websocket.port", "0"),
                Map.entry("server.auth", "hmac,static-token"),
                Map.entry("auth.hmac.secret-file", "/secret"),
                Map.entry("auth.static-token.tokens", "s:t"),
                Map.entry("server.allow-anonymous", "true"),
                Map.entry("resolver.default", "field-merge"),
                Map.entry("resolver.table.notes", "server-wins"),
                Map.entry("server.node-id", "node-a"),
                Map.entry("server.page-rows", "20"),
                Map.entry("server.clock-skew", "1m")));

        assertThat(config.store()).isEqualTo("redis");
        assertThat(config.namespace("store.redis").asMap()).containsExactly(Map.entry("uri", "redis://127.0.0.1:6379"));
        assertThat(config.transports()).containsExactly("mqtt", "websocket");
        assertThat(config.auth()).containsExactly("hmac", "static-token");
        assertThat(config.allowAnonymous()).isTrue();
        assertThat(config.defaultResolver()).isEqualTo("field-merge");
        assertThat(config.tableResolvers()).containsExactly(Map.entry("notes", "server-wins"));
        assertThat(config.options().nodeId()).isEqualTo("node-a");
        assertThat(config.options().pageRows()).isEqualTo(20);
        assertThat(config.options().clockSkew()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void loginLimitsHaveDefaultsAndEveryKeyMapsToItsValue() {
        assertThat(config(Map.of()).options().loginLimits()).isEqualTo(new LoginLimits(Duration.ofSeconds(10), 64, 20, 5,
                Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofMinutes(1)));
        LoginLimits limits = config(Map.of(
                "server.handshake-timeout", "3s",
                "server.max-pending-handshakes-per-address", "7",
                "server.auth-throttle.address-failures", "50",
                "server.auth-throttle.device-failures", "9",
                "server.auth-throttle.window", "2m",
                "server.auth-throttle.initial-delay", "500ms",
                "server.auth-throttle.max-delay", "5m")).options().loginLimits();
        assertThat(limits).isEqualTo(new LoginLimits(Duration.ofSeconds(3), 7, 50, 9, Duration.ofMinutes(2),
                Duration.ofMillis(500), Duration.ofMinutes(5)));
        assertThatThrownBy(() -> config(Map.of("server.auth-throttle.initial-delay", "2m", "server.auth-throttle.max-delay", "1m")))
                .hasMessageContaining("maxDelay must be at least initialDelay");
        assertThatThrownBy(() -> config(Map.of("server.auth-throttle.device-failure", "3")))
                .hasMessageContaining("did you mean 'server.auth-throttle.device-failures'?");
    }

    @Test
    void unknownKeyNamesTheNearest() {
        assertThatThrownBy(() -> config(Map.of("server.transport", "websocket")))
                .hasMessage("unknown configuration key 'server.transport'; did you mean 'server.transports'?");
        assertThatThrownBy(() -> config(Map.of("store.postgres.url", "x"))).hasMessageContaining("unknown configuration key");
    }

    @Test
    void keysOfAPluginThatIsNotSelectedFailInsteadOfBeingIgnored() {
        expectInvalid(Map.of("transport.mqtt.uri", "tcp://broker:1883"),
                "'transport.mqtt.uri' configures the transport 'mqtt', which 'server.transports' does not name (it names websocket)");
        expectInvalid(Map.of("store.redis.uri", "redis://h:6379"), "'server.store' does not name (it names sqlite)");
        expectInvalid(Map.of("auth.static-token.tokens", "s:t"), "which 'server.auth' does not name (it names none)");
        expectInvalid(Map.of("auth.anonymous.scopes", "a"), "auth.anonymous.scopes");
        expectInvalid(Map.of("resolver.field-merge.x", "1"), "resolver.field-merge.x");

        assertThat(config(Map.of("server.allow-anonymous", "true", "auth.anonymous.scopes", "a")).allowAnonymous()).isTrue();
        assertThat(config(Map.of("resolver.table.t", "field-merge", "resolver.field-merge.x", "1")).tableResolvers())
                .containsEntry("t", "field-merge");
    }

    @Test
    void anonymousCannotBeCombinedWithRealAuthenticators() {
        expectInvalid(Map.of("server.auth", "static-token,anonymous", "auth.static-token.tokens", "s:t"),
                "anonymous accepts every device");
        assertThat(config(Map.of("server.auth", "anonymous")).auth()).containsExactly("anonymous");
    }

    @Test
    void listsOfNamesAreCheckedForEmptyAndRepeatedNames() {
        expectInvalid(Map.of("server.transports", "websocket,,mqtt"), "none empty");
        expectInvalid(Map.of("server.transports", "websocket,websocket"), "none twice");
        expectInvalid(Map.of("server.transports", " "), "at least one provider name");
        expectInvalid(Map.of("server.store", "sqlite,redis"), "one provider name");
        assertThat(config(Map.of("server.auth", "")).auth()).isEmpty();
    }

    private static void expectInvalid(Map<String, String> keys, String message) {
        assertThatThrownBy(() -> config(keys)).isInstanceOfSatisfying(PocketSyncException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID)).hasMessageContaining(message);
    }
}
