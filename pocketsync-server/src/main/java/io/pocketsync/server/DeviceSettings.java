package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.transport.ReconnectPolicy;
import io.pocketsync.core.config.ConfigKey;
import io.pocketsync.core.config.ConfigSchema;
import io.pocketsync.core.config.Settings;
import io.pocketsync.device.DeviceOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code pocketsync device} command's settings, merged from its {@code --config} file, the environment and the
 * flags (later wins): the device's own keys under {@code device.} and the transports' keys under
 * {@code transport.websocket.} and {@code transport.mqtt.} (MQTT username, password and client id, TLS trust store,
 * timeouts), which the selected transport validates when it is created.
 *
 * <p>Secrets need not stand on a command line, where {@code ps} shows them: each has an environment variable
 * ({@link #ENVIRONMENT}), and a config file can hold them too.
 *
 * <p>Immutable. {@link #toString()} masks secrets.
 */
final class DeviceSettings {
    /** Key of the SQLite file to sync. */
    static final String DB = "device.db";
    /** Key of the tables to sync, comma-separated. */
    static final String TABLES = "device.tables";
    /** Key of the server URL ({@code ws://}, {@code wss://}, {@code tcp://}, {@code ssl://}). */
    static final String SERVER = "device.server";
    /** Key of the scope. */
    static final String SCOPE = "device.scope";
    /** Key of the token for the scope, or for every scope of a device of several (secret). */
    static final String TOKEN = "device.token";
    /** Prefix of the keys of one scope's own token, {@code device.token.SCOPE} (secret). */
    static final String SCOPE_TOKEN_PREFIX = TOKEN + ".";
    /** Key of how often a long install, push or catch-up logs its progress. */
    static final String PROGRESS_INTERVAL = "device.progress-interval";
    /** Key of the first wait after the server refused the device (a wrong token); it doubles up to the cap. */
    static final String REFUSAL_BACKOFF_INITIAL = "device.refusal-backoff-initial";
    /** Key of the longest wait after refusals. */
    static final String REFUSAL_BACKOFF_MAX = "device.refusal-backoff-max";

    /** Key of the most rows asked for per catch-up page. */
    static final String PULL_LIMIT = "device.pull-limit";

    /** The environment variables that set keys, for secrets and for what a deployment injects. */
    static final Map<String, String> ENVIRONMENT = Map.of(
            "POCKETSYNC_TOKEN", TOKEN,
            "POCKETSYNC_MQTT_USERNAME", "transport.mqtt.username",
            "POCKETSYNC_MQTT_PASSWORD", "transport.mqtt.password",
            "POCKETSYNC_TRUSTSTORE_PASSWORD", "transport.websocket.truststore-password");

    private final Settings settings;

    private DeviceSettings(Settings settings) {
        this.settings = settings;
    }

    /**
     * @param fromFile the {@code --config} file's keys ({@link Settings#empty()} for none)
     * @param environment the process environment; only the variables of {@link #ENVIRONMENT} are read
     * @param fromFlags the keys of the flags given; they win
     * @throws PocketSyncException with {@code CONFIG_INVALID} for an unknown key or a bad value
     */
    static DeviceSettings of(Settings fromFile, Map<String, String> environment, Map<String, String> fromFlags) {
        requireNonNull(fromFile, "fromFile is null");
        Map<String, String> fromEnvironment = new LinkedHashMap<>();
        ENVIRONMENT.forEach((variable, key) -> {
            String value = environment.get(variable);
            if (value != null && !value.isEmpty()) {
                fromEnvironment.put(key, value);
            }
        });
        Settings merged = fromFile.withOverrides(fromEnvironment).withOverrides(fromFlags);
        schema().validate(merged);
        DeviceSettings settings = new DeviceSettings(merged);
        settings.server();
        settings.refusalBackoff();
        settings.scopeTokens();
        return settings;
    }

    /** The device keys, and the transports' namespaces, which their providers check. */
    static ConfigSchema schema() {
        return new ConfigSchema().register(
                ConfigKey.string(DB, "the SQLite file to sync", null),
                ConfigKey.string(TABLES, "the tables to sync, comma-separated; NAME@SCOPE binds a table to a scope of its own", null),
                ConfigKey.string(SERVER, "server URL: ws://, wss:// (WebSocket), tcp://, ssl:// (MQTT broker)", null),
                ConfigKey.string(SCOPE, "the scope to sync", null),
                ConfigKey.string(TOKEN, "token for the scope", null),
                ConfigKey.duration(PROGRESS_INTERVAL, "how often a long install, push or catch-up logs its progress", "5s"),
                ConfigKey.duration(REFUSAL_BACKOFF_INITIAL, "first wait after the server refused the device", "1s"),
                ConfigKey.duration(REFUSAL_BACKOFF_MAX, "longest wait after refusals", "5m"),
                ConfigKey.integer(PULL_LIMIT, "most rows asked for per catch-up page", DeviceOptions.DEFAULTS.pullLimit(), 1,
                        100_000))
                .delegate(TOKEN)
                .delegate("transport.websocket")
                .delegate("transport.mqtt");
    }

    Optional<Path> db() {
        return value(DB).map(Path::of);
    }

    List<String> tables() {
        return value(TABLES).map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList())
                .orElse(List.of());
    }

    Optional<URI> server() {
        Optional<String> raw = value(SERVER);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(raw.get());
            if (uri.getScheme() == null) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--server: '" + uri
                        + "' has no scheme (ws://, wss://, tcp:// or ssl://)");
            }
            return Optional.of(uri);
        }
        catch (URISyntaxException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--server (" + SERVER + "): '" + raw.get() + "' is not a URL"
                    + " like ws://127.0.0.1:8787/sync (ws://, wss://, tcp:// or ssl://)");
        }
    }

    Optional<String> scope() {
        return value(SCOPE);
    }

    /** The token; empty when none is set (an anonymous device). */
    String token() {
        return settings.get(TOKEN).orElse("");
    }

    /** Whether a token for every scope is set ({@link #TOKEN}, its flag or its environment variable). */
    boolean hasToken() {
        return settings.get(TOKEN).isPresent();
    }

    /**
     * Each scope's own token ({@code device.token.SCOPE}, or {@code --token SCOPE=TOKEN}).
     *
     * @throws PocketSyncException {@code CONFIG_INVALID} when a key's scope is not a scope name
     */
    Map<String, String> scopeTokens() {
        Map<String, String> tokens = new LinkedHashMap<>();
        settings.asMap().forEach((key, value) -> {
            if (key.startsWith(SCOPE_TOKEN_PREFIX)) {
                String scope = key.substring(SCOPE_TOKEN_PREFIX.length());
                if (!io.pocketsync.api.Identifiers.isScopeOrDeviceId(scope)) {
                    throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "'" + key + "': '" + scope + "' is not a scope name"
                            + " (1-" + io.pocketsync.api.Identifiers.MAX_LENGTH + " characters of [A-Za-z0-9._:@-])");
                }
                tokens.put(scope, value.strip());
            }
        });
        return tokens;
    }

    Duration progressInterval() {
        return duration(PROGRESS_INTERVAL, "5s");
    }

    ReconnectPolicy refusalBackoff() {
        Duration initial = duration(REFUSAL_BACKOFF_INITIAL, "1s");
        Duration max = duration(REFUSAL_BACKOFF_MAX, "5m");
        if (initial.isZero() || max.compareTo(initial) < 0) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "'" + REFUSAL_BACKOFF_INITIAL + "' must be positive and not"
                    + " above '" + REFUSAL_BACKOFF_MAX + "'");
        }
        return new ReconnectPolicy(initial, max);
    }

    /** The device options these settings change (the refusal backoff, the catch-up page size). */
    DeviceOptions options() {
        int pullLimit = value(PULL_LIMIT).map(Integer::parseInt).orElse(DeviceOptions.DEFAULTS.pullLimit());
        return DeviceOptions.DEFAULTS.withRefusalBackoff(refusalBackoff()).withPullLimit(pullLimit);
    }

    /**
     * The transport a server URL selects by its scheme, and its keys.
     *
     * @return the provider name ({@code websocket}, {@code mqtt}, or the scheme for a third-party transport)
     */
    static String transportName(URI server) {
        return switch (server.getScheme().toLowerCase(Locale.ROOT)) {
            case "ws", "wss" -> "websocket";
            case "tcp", "ssl" -> "mqtt";
            default -> server.getScheme();
        };
    }

    /** The keys under {@code transport.NAME}, as the provider receives them. */
    PluginConfig transport(String name) {
        return settings.forNamespace("transport." + name);
    }

    private Optional<String> value(String key) {
        return settings.get(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    private Duration duration(String key, String fallback) {
        return PluginConfig.parseDuration(value(key).orElse(fallback));
    }

    @Override
    public String toString() {
        return settings.toString();
    }
}
