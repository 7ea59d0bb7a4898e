package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.core.config.ConfigSchema;
import io.pocketsync.core.config.Settings;
import io.pocketsync.server.engine.assembly.ServerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code pocketsync server} command's settings: the server key set of {@link ServerConfig} (the one every
 * way of running a server reads, see {@code docs/configuration.md}) plus {@code metrics.port}, merged from the
 * engine's defaults, the {@code --config} file, the {@code POCKETSYNC_*} environment variables and the command-line
 * flags (later wins); the {@code admin.*} keys are read by {@link AdminSettings}. Every flag is a key, so a config file
 * (or the environment) can say anything the command line can.
 *
 * <p>Flags that turn a plugin on also name it, as their help says: {@code --token-file} and {@code --token} add
 * {@code static-token} to {@code server.auth}, {@code --jwks-url}, {@code --jwks-file} and {@code --jwt-secret-file} add
 * {@code jwt}, {@code --hmac-secret-file} adds {@code hmac}, {@code --mqtt} adds {@code mqtt} to
 * {@code server.transports}, to whatever the file says. The store chosen by the settings starts from the
 * command's defaults for it ({@code store.sqlite.path=./pocketsync-server.db}).
 *
 * <p>Keys are checked against {@link #schema()}: an unknown key fails with {@link ErrorCode#CONFIG_INVALID}
 * naming the nearest known one. Keys under a plugin's namespace ({@code store.sqlite.busy-timeout}) pass
 * through to that plugin, which validates them when it is created.
 *
 * <p>Immutable and thread-safe.
 */
public final class ServerSettings {
    /** Key {@code server.store}: the store provider name ({@code memory}, {@code sqlite}, {@code redis}). */
    public static final String STORE = ServerConfig.STORE;
    /** Key {@code server.transports}: comma-separated transport provider names the server listens on. */
    public static final String TRANSPORTS = ServerConfig.TRANSPORTS;
    /** Key {@code server.auth}: comma-separated authenticator names, tried in order. */
    public static final String AUTH = ServerConfig.AUTH;
    /** Key {@code server.allow-anonymous}: whether a HELLO no authenticator accepts is let in (default false). */
    public static final String ALLOW_ANONYMOUS = ServerConfig.ALLOW_ANONYMOUS;
    /** Key of the WebSocket bind address (default {@code 127.0.0.1}). */
    public static final String HOST = "transport.websocket.host";
    /** Key of the WebSocket port, 0-65535 (default 8787; 0 picks a free port). */
    public static final String PORT = "transport.websocket.port";
    /** Key of the MQTT broker URI to also serve devices through; unset for none. */
    public static final String MQTT_URI = "transport.mqtt.uri";
    /** Key of the SQLite store file (default {@code ./pocketsync-server.db}). */
    public static final String SQLITE_PATH = "store.sqlite.path";
    /** Key of the Redis URI the redis store connects to; required when that store is selected. */
    public static final String REDIS_URI = "store.redis.uri";
    /** Key of the prefix of every Redis key the store writes (default {@code pocketsync}). */
    public static final String REDIS_PREFIX = "store.redis.prefix";
    /** Key of the static tokens: comma-separated {@code SCOPE:TOKEN} pairs (secret). */
    public static final String TOKENS = "auth.static-token.tokens";
    /** Key of a file of static tokens: {@code SCOPE:TOKEN} pairs, one a line (the file is the secret). */
    public static final String TOKENS_FILE = "auth.static-token.tokens-file";
    /** Key of the file holding the HMAC token secret. */
    public static final String HMAC_SECRET_FILE = "auth.hmac.secret-file";
    /** Key of the HMAC token secret itself (secret; set from {@code POCKETSYNC_HMAC_SECRET} by the command). */
    public static final String HMAC_SECRET = "auth.hmac.secret";
    /** Key of the file holding the JWT HS256 secret. */
    public static final String JWT_SECRET_FILE = "auth.jwt.secret-file";
    /** Key of the JWT HS256 secret itself (secret; set from {@code POCKETSYNC_JWT_SECRET} by the command). */
    public static final String JWT_SECRET = "auth.jwt.secret";
    /** Key of a JWKS file with the public keys JWTs are verified with; re-read when it changes. */
    public static final String JWKS_FILE = "auth.jwt.jwks-file";
    /** Key of a JWKS URL (an identity provider's) with the public keys JWTs are verified with. */
    public static final String JWKS_URL = "auth.jwt.jwks-url";
    /** Key of the audience every JWT must name. */
    public static final String JWT_AUDIENCE = "auth.jwt.audience";
    /** Key of the issuer every JWT must name; unset to accept any. */
    public static final String JWT_ISSUER = "auth.jwt.issuer";
    /** Key of the conflict resolver used for tables without their own. */
    public static final String RESOLVER_DEFAULT = ServerConfig.RESOLVER_DEFAULT;
    /** Prefix of the per-table resolver keys; the table name follows it. */
    public static final String RESOLVER_TABLE_PREFIX = ServerConfig.RESOLVER_TABLE + ".";
    /** Key of the port serving {@code /health} and {@code /metrics} on 127.0.0.1; unset for none. */
    public static final String METRICS_PORT = "metrics.port";
    /** Key of the address the metrics and health endpoint listens on (default {@code 127.0.0.1}). */
    public static final String METRICS_BIND = "metrics.bind";

    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 8787;
    static final String DEFAULT_SQLITE_PATH = "./pocketsync-server.db";
    static final String DEFAULT_REDIS_PREFIX = "pocketsync";

    private final Settings settings;
    private final Map<String, String> values;

    private ServerSettings(Settings settings) {
        this.settings = settings;
        this.values = settings.asMap();
    }

    /**
     * Merges the engine's defaults, the config file's keys and the flags' keys (later wins), lets the flags
     * name the plugins they configure, adds the command's default for the selected store, and validates the
     * result against {@link #schema}.
     *
     * @param fromFile the keys read from the {@code --config} file, with the {@code POCKETSYNC_*} environment
     *        variables' keys over them (see {@code ServerCommand}); {@link Settings#empty()} when there are none
     * @param fromFlags the keys the command-line flags set; they win over the file
     * @return the validated settings
     * @throws PocketSyncException with {@link ErrorCode#CONFIG_INVALID} for an unknown key or a bad value
     */
    public static ServerSettings of(Settings fromFile, Map<String, String> fromFlags) {
        requireNonNull(fromFile, "fromFile is null");
        requireNonNull(fromFlags, "fromFlags is null");
        Settings merged = Settings.of(ServerConfig.defaults()).withOverrides(fromFile.asMap()).withOverrides(fromFlags);
        Map<String, String> selected = FlagSelections.selected(merged, fromFlags);
        if (merged.get(STORE).filter("sqlite"::equals).isPresent() && merged.get(SQLITE_PATH).isEmpty()) {
            selected.put(SQLITE_PATH, DEFAULT_SQLITE_PATH);
        }
        Settings effective = merged.withOverrides(selected);
        schema().validate(effective);
        ServerSettings settings = new ServerSettings(effective);
        settings.validate();
        return settings;
    }

    /**
     * Defaults plus the flags' keys, with no config file.
     *
     * @param fromFlags the keys the command-line flags set
     * @return the validated settings
     * @throws PocketSyncException with {@link ErrorCode#CONFIG_INVALID} for an unknown key or a bad value
     */
    public static ServerSettings of(Map<String, String> fromFlags) {
        return of(Settings.empty(), fromFlags);
    }

    /**
     * The keys the command understands: the server's ({@link ServerConfig#schema}), {@code metrics.port}, and the
     * keys behind the flags, registered so that a misspelt one gets them as "did you mean" hints.
     *
     * @return a new schema, including the keys of the plugins on the class path
     */
    public static ConfigSchema schema() {
        return ServerSettingsSchema.schema();
    }

    private void validate() {
        port();
        metricsPort();
        allowAnonymous();
        mqttUri();
        if (store().equals("redis") && redisUri().isEmpty()) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID,
                    "the redis store needs '" + REDIS_URI + "' (--redis redis://host:6379)");
        }
        redisUri();
        tokens();
        AdminSettings.validate(this);
    }

    /**
     * Every effective key and value (secrets included: never log this map, log {@link #toString()}).
     *
     * @return an unmodifiable map of key to value
     */
    public Map<String, String> asMap() {
        return values;
    }

    /**
     * One effective value.
     *
     * @param key the full key, for example {@code store.sqlite.path}
     * @return its value; empty when the key is not set
     */
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /**
     * The keys under {@code namespace} with the namespace stripped, as a provider receives them.
     *
     * @param namespace a key prefix without the trailing dot, for example {@code store.sqlite}
     * @return the keys under it; empty when there are none
     */
    public PluginConfig namespace(String namespace) {
        return settings.forNamespace(namespace);
    }

    /**
     * The effective settings (defaults, file, flags).
     *
     * @return every effective key, the command's own included
     */
    public Settings settings() {
        return settings;
    }

    /**
     * The settings the server is assembled from: all but the command's own {@code metrics.*} and {@code admin.*}.
     *
     * @return a copy without the {@code metrics.*} and {@code admin.*} keys
     */
    public Settings serverSettings() {
        Map<String, String> server = new LinkedHashMap<>(values);
        server.keySet().removeIf(key -> key.startsWith("metrics.") || key.startsWith("admin."));
        return Settings.of(server);
    }

    /**
     * The selected store provider.
     *
     * @return the {@link #STORE} value, trimmed
     */
    public String store() {
        return values.get(STORE).trim();
    }

    /**
     * {@code server.auth}: the authenticators named, in order.
     *
     * @return the authenticator names; empty when none is named
     */
    public List<String> authenticators() {
        String raw = values.getOrDefault(AUTH, "");
        return raw.isBlank() ? List.of() : List.of(raw.trim().split("\\s*,\\s*"));
    }

    /**
     * The WebSocket bind address.
     *
     * @return the {@link #HOST} value, {@code 127.0.0.1} by default
     */
    public String host() {
        return values.getOrDefault(HOST, DEFAULT_HOST);
    }

    /**
     * The WebSocket port.
     *
     * @return 0-65535, 8787 by default; 0 lets the system pick a free port
     */
    public int port() {
        return SettingValues.port(PORT, get(PORT)).orElse(DEFAULT_PORT);
    }

    /**
     * The port of the metrics endpoint.
     *
     * @return 0-65535; empty when metrics are not served
     */
    public Optional<Integer> metricsPort() {
        return SettingValues.port(METRICS_PORT, get(METRICS_PORT));
    }

    /**
     * The address the metrics and health endpoint listens on.
     *
     * @return the {@link #METRICS_BIND} value, {@code 127.0.0.1} by default
     */
    public String metricsBind() {
        return get(METRICS_BIND).map(String::trim).filter(bind -> !bind.isEmpty()).orElse(DEFAULT_HOST);
    }

    /**
     * Whether devices no authenticator accepts are let in.
     *
     * @return the {@link #ALLOW_ANONYMOUS} value, false by default
     */
    public boolean allowAnonymous() {
        return PluginConfig.of("", values).getBoolean(ALLOW_ANONYMOUS, false);
    }

    /**
     * The MQTT broker to also serve devices through.
     *
     * @return the broker URI; empty when MQTT is not configured
     */
    public Optional<URI> mqttUri() {
        return SettingValues.uri(MQTT_URI, get(MQTT_URI));
    }

    /**
     * The Redis server of the redis store.
     *
     * @return the Redis URI; empty when not configured
     */
    public Optional<URI> redisUri() {
        return SettingValues.uri(REDIS_URI, get(REDIS_URI));
    }

    /**
     * The prefix of every Redis key.
     *
     * @return the {@link #REDIS_PREFIX} value, {@code pocketsync} by default
     */
    public String redisPrefix() {
        return values.getOrDefault(REDIS_PREFIX, DEFAULT_REDIS_PREFIX);
    }

    /**
     * The SQLite store file.
     *
     * @return the path as configured, relative to the working directory unless absolute
     */
    public Path sqlitePath() {
        return Path.of(values.getOrDefault(SQLITE_PATH, DEFAULT_SQLITE_PATH));
    }

    /**
     * The static tokens.
     *
     * @return {@code scope:token} pairs, in the order given (secrets: never log them); empty when none
     * @throws PocketSyncException with {@link ErrorCode#CONFIG_INVALID} when an entry is not {@code SCOPE:TOKEN}
     */
    public List<String> tokens() {
        String raw = values.get(TOKENS);
        if (raw == null || raw.isBlank()) {
            return List.of();
        }
        List<String> pairs = new ArrayList<>();
        for (String pair : raw.split(",")) {
            String trimmed = pair.trim();
            int colon = trimmed.indexOf(':');
            if (colon <= 0 || colon == trimmed.length() - 1) {
                // Never echo the pair: it holds a secret.
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID,
                        "'" + TOKENS + "' entries must be SCOPE:TOKEN (entry " + (pairs.size() + 1) + " is not)");
            }
            pairs.add(trimmed);
        }
        return List.copyOf(pairs);
    }

    /**
     * The file holding the HMAC token secret.
     *
     * @return its path; empty when not configured or blank
     */
    public Optional<Path> hmacSecretFile() {
        return get(HMAC_SECRET_FILE).filter(v -> !v.isBlank()).map(Path::of);
    }

    /**
     * The conflict resolver of tables without their own.
     *
     * @return the resolver name, as {@link #RESOLVER_DEFAULT} sets it
     */
    public String defaultResolver() {
        return values.get(RESOLVER_DEFAULT);
    }

    /**
     * The per-table conflict resolvers.
     *
     * @return table name → resolver name, for tables whose resolver differs from the default
     */
    public Map<String, String> tableResolvers() {
        return settings.forNamespace(ServerConfig.RESOLVER_TABLE).asMap();
    }

    /** The effective settings with secrets masked; safe to log. */
    @Override
    public String toString() {
        return SettingValues.render(values);
    }
}
