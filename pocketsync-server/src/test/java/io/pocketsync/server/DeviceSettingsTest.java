package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.transport.ReconnectPolicy;
import io.pocketsync.core.config.Settings;
import io.pocketsync.device.DeviceOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeviceSettingsTest {
    @Test
    void defaults() {
        DeviceSettings settings = DeviceSettings.of(Settings.empty(), Map.of(), Map.of());

        assertThat(settings.db()).isEmpty();
        assertThat(settings.tables()).isEmpty();
        assertThat(settings.server()).isEmpty();
        assertThat(settings.scope()).isEmpty();
        assertThat(settings.token()).isEmpty();
        assertThat(settings.progressInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.refusalBackoff()).isEqualTo(DeviceOptions.DEFAULT_REFUSAL_BACKOFF);
        assertThat(settings.options().pullLimit()).isEqualTo(DeviceOptions.DEFAULTS.pullLimit());
        assertThat(settings.transport("mqtt").asMap()).isEmpty();
    }

    @Test
    void everyKeyMapsAndTheTransportGetsItsOwn() {
        DeviceSettings settings = DeviceSettings.of(Settings.of(Map.of(
                DeviceSettings.DB, "app.db",
                DeviceSettings.TABLES, "project, todo",
                DeviceSettings.SERVER, "tcp://127.0.0.1:1883",
                DeviceSettings.SCOPE, "alice",
                DeviceSettings.TOKEN, "s3cret",
                DeviceSettings.PROGRESS_INTERVAL, "2s",
                DeviceSettings.PULL_LIMIT, "50",
                DeviceSettings.REFUSAL_BACKOFF_INITIAL, "2s",
                DeviceSettings.REFUSAL_BACKOFF_MAX, "1m",
                "transport.mqtt.username", "sidecar")), Map.of(), Map.of());

        assertThat(settings.db()).contains(Path.of("app.db"));
        assertThat(settings.tables()).containsExactly("project", "todo");
        assertThat(settings.server()).contains(URI.create("tcp://127.0.0.1:1883"));
        assertThat(settings.scope()).contains("alice");
        assertThat(settings.token()).isEqualTo("s3cret");
        assertThat(settings.progressInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.options().pullLimit()).isEqualTo(50);
        assertThat(settings.options().refusalBackoff()).isEqualTo(new ReconnectPolicy(Duration.ofSeconds(2), Duration.ofMinutes(1)));
        assertThat(DeviceSettings.transportName(settings.server().orElseThrow())).isEqualTo("mqtt");
        assertThat(settings.transport("mqtt").namespace()).isEqualTo("transport.mqtt");
        assertThat(settings.transport("mqtt").asMap()).containsExactly(Map.entry("username", "sidecar"));
        assertThat(settings.toString()).doesNotContain("s3cret");
    }

    @Test
    void theEnvironmentBeatsTheFileAndTheFlagsBeatBoth() {
        DeviceSettings settings = DeviceSettings.of(
                Settings.of(Map.of(DeviceSettings.TOKEN, "from-file", "transport.mqtt.password", "file-password",
                        DeviceSettings.SCOPE, "file-scope")),
                Map.of("POCKETSYNC_TOKEN", "from-env", "POCKETSYNC_MQTT_PASSWORD", "env-password", "HOME", "/root"),
                Map.of(DeviceSettings.SCOPE, "flag-scope"));

        assertThat(settings.token()).isEqualTo("from-env");
        assertThat(settings.transport("mqtt").asMap()).containsEntry("password", "env-password");
        assertThat(settings.scope()).contains("flag-scope");
    }

    @Test
    void anUnknownKeyFailsWithTheNearestOne() {
        assertThatThrownBy(() -> DeviceSettings.of(Settings.of(Map.of("device.scpoe", "alice")), Map.of(), Map.of()))
                .isInstanceOf(PocketSyncException.class)
                .satisfies(e -> assertThat(((PocketSyncException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("device.scpoe").hasMessageContaining("device.scope");
    }

    @Test
    void badValuesAreConfigErrors() {
        assertThatThrownBy(() -> DeviceSettings.of(Settings.empty(), Map.of(), Map.of(DeviceSettings.SERVER, "localhost/sync")))
                .isInstanceOf(PocketSyncException.class).hasMessageContaining("no scheme");
        assertThatThrownBy(() -> DeviceSettings.of(Settings.empty(), Map.of(), Map.of(DeviceSettings.SERVER, "127.0.0.1:8787")))
                .isInstanceOf(PocketSyncException.class).hasMessageContaining("is not a URL like ws://");
        assertThatThrownBy(() -> DeviceSettings.of(Settings.empty(), Map.of(), Map.of(DeviceSettings.PROGRESS_INTERVAL, "soon")))
                .isInstanceOf(PocketSyncException.class).hasMessageContaining(DeviceSettings.PROGRESS_INTERVAL);
        assertThatThrownBy(() -> DeviceSettings.of(Settings.empty(), Map.of(), Map.of(DeviceSettings.REFUSAL_BACKOFF_INITIAL,
                "10m"))).isInstanceOf(PocketSyncException.class).hasMessageContaining(DeviceSettings.REFUSAL_BACKOFF_MAX);
    }

    @Test
    void eachScopesOwnTokenComesFromItsKeyAndIsMasked() {
        DeviceSettings settings = DeviceSettings.of(Settings.of(Map.of(
                DeviceSettings.TOKEN + ".team-42", "team-secret",
                DeviceSettings.TOKEN + ".alice@example.com", "alice-secret")), Map.of(),
                Map.of(DeviceSettings.TOKEN + ".team-42", "flag-secret"));

        assertThat(settings.scopeTokens()).containsOnly(Map.entry("team-42", "flag-secret"),
                Map.entry("alice@example.com", "alice-secret"));
        assertThat(settings.hasToken()).isFalse();
        assertThat(settings.toString()).doesNotContain("secret");
        assertThat(DeviceSettings.of(Settings.empty(), Map.of("POCKETSYNC_TOKEN", "env"), Map.of()).hasToken()).isTrue();
    }

    @Test
    void aScopeTokenKeyNamingNoScopeIsAConfigError() {
        assertThatThrownBy(() -> DeviceSettings.of(Settings.of(Map.of(DeviceSettings.TOKEN + ".team 42", "x")), Map.of(),
                Map.of())).isInstanceOf(PocketSyncException.class)
                .satisfies(e -> assertThat(((PocketSyncException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("'team 42' is not a scope name");
    }
}
