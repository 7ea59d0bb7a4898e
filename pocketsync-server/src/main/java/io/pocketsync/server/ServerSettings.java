package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.core.config.ConfigKey;
import io.pocketsync.core.config.ConfigSchema;
import io.pocketsync.core.config.Settings;
import io.pocketsync.server.engine.ServerOptionsConfig;
import io.pocketsync.core.discovery.Providers;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The server's settings as namespaced configuration keys: built-in defaults, overridden by the
 * {@code --config} file, overridden by command-line flags. Every flag is a key here, so a config file
 * can say anything the command line can.
 *
 * <p>Keys are checked against {@link #schema()}: an unknown key fails with {@link ErrorCode#CONFIG_INVALID}
 * naming the nearest known one. Keys under a plugin's namespace ({@code store.sqlite.busy-timeout})
 * pass through to that plugin, which validates them when it is created.
 *
 * <p>Immutable and thread-safe.
 */
public final class ServerSettings {
    public static final String STORE = "server.store";
    public static final String ALLOW_ANONYMOUS = "server.allow-anonymous";
    public static final String HOST = "transport.websocket.host";
    public static final String PORT = "transport.websocket.port";
    public static final String MQTT_URI = "transport.mqtt.uri";
    public static final String SQLITE_PATH = "store.sqlite.path";
    public static final String REDIS_URI = "store.redis.uri";
    public static final String REDIS_PREFIX = "store.redis.prefix";
    public static final String TOKENS = "auth.static-token.tokens";
    public static final String HMAC_SECRET_FILE = "auth.hmac.secret-file";
    public static final String RESOLVER_DEFAULT = "resolver.default";
    public static final String RESOLVER_TABLE_PREFIX = "resolver.table.";
    public static final String METRICS_PORT = "metrics.port";

    public static final String DEFAULT_RESOLVER = "last-write-wins";

    private static final Map<String, String> DEFAULTS = Map.of(
            STORE, "sqlite",
            ALLOW_ANONYMOUS, "false",
            HOST, "127.0.0.1",
            PORT, "8787",
            SQLITE_PATH, "./pocketsync-server.db",
            REDIS_PREFIX, "pocketsync",
            RESOLVER_DEFAULT, DEFAULT_RESOLVER);

    private final Settings settings;
    private final Map<String, String> values;

    private ServerSettings(Settings settings) {
        this.settings = settings;
        this.values = settings.asMap();
    }

    /**
     * Merges defaults, the config file's keys and the flags' keys (later wins) and validates the result
     * against {@link #schema}.
     *
     * @throws PocketSyncException with {@link ErrorCode#CONFIG_INVALID} for an unknown key or a bad value
     */
    public static ServerSettings of(Settings fromFile, Map<String, String> fromFlags) {
        requireNonNull(fromFile, "fromFile is null");
        requireNonNull(fromFlags, "fromFlags is null");
        Settings merged = Settings.of(DEFAULTS).withOverrides(fromFile.asMap()).withOverrides(fromFlags);
        schema().validate(merged);
        ServerSettings settings = new ServerSettings(merged);
        settings.validate();
        return settings;
    }

    /** Defaults plus the flags' keys. */
    public static ServerSettings of(Map<String, String> fromFlags) {
        return of(Settings.empty(), fromFlags);
    }

    /**
     * The keys the server understands. The namespaces of the plugins on the classpath
     * ({@code store.<name>}, {@code transport.<name>}, {@code resolver.<name>}, {@code codec.<name>}) are
     * delegated to those plugins, which reject keys they do not know; the keys behind the flags are
     * registered too, so that a misspelt one gets them as "did you mean" hints.
     */
    public static ConfigSchema schema() {
        ConfigSchema schema = new ConfigSchema().register(
                new ConfigKey(STORE, "server store provider name", "sqlite", ServerSettings::requireName),
                ConfigKey.bool(ALLOW_ANONYMOUS, "accept devices without credentials when no authenticator is configured", false),
                ConfigKey.string(HOST, "WebSocket bind address", "127.0.0.1"),
                ConfigKey.integer(PORT, "WebSocket port", 8787, 0, 65535),
                ConfigKey.string(MQTT_URI, "MQTT broker to also serve devices through", null),
                ConfigKey.string(SQLITE_PATH, "SQLite store file", "./pocketsync-server.db"),
                ConfigKey.string(REDIS_URI, "Redis URI of the redis store", null),
                ConfigKey.string(REDIS_PREFIX, "prefix of every Redis key", "pocketsync"),
                ConfigKey.string(TOKENS, "static tokens: comma-separated SCOPE:TOKEN pairs", null),
                ConfigKey.string(HMAC_SECRET_FILE, "file holding the HMAC token secret", null),
                new ConfigKey(RESOLVER_DEFAULT, "conflict resolver of every table", DEFAULT_RESOLVER, ServerSettings::requireName),
                new ConfigKey(METRICS_PORT, "port of /health and /metrics on 127.0.0.1", null, ServerSettings::requirePort));
        ServerOptionsConfig.KEYS.forEach(schema::register);
        schema.delegate("resolver.table");
        Providers.serverStores().names().forEach(name -> schema.delegate("store." + name));
        Providers.serverTransports().names().forEach(name -> schema.delegate("transport." + name));
        Providers.conflictResolvers().names().forEach(name -> schema.delegate("resolver." + name));
        Providers.codecs().names().forEach(name -> schema.delegate("codec." + name));
        return schema;
    }

    private static void requireName(String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException("a provider name");
        }
    }

    private static void requirePort(String value) {
        try {
            int port = Integer.parseInt(value.trim());
            if (port >= 0 && port <= 65535) {
                return;
            }
        }
        catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("a port number 0-65535");
    }

    private void validate() {
        String store = store();
        if (store.isBlank()) {
            // Whether a provider of that name exists is checked when the store is created.
            throw invalid(STORE, store, "a store name such as sqlite or redis");
        }
        port();
        metricsPort();
        allowAnonymous();
        mqttUri();
        if (store.equals("redis") && redisUri().isEmpty()) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID,
                    "the redis store needs '" + REDIS_URI + "' (--redis redis://host:6379)");
        }
        redisUri();
        tokens();
    }

    /** Every effective key and value (secrets included: never log this map, log {@link #toString()}). */
    public Map<String, String> asMap() {
        return values;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** The keys under {@code namespace} with the namespace stripped, as a provider receives them. */
    public PluginConfig namespace(String namespace) {
        return settings.forNamespace(namespace);
    }

    /** The effective settings (defaults, file, flags). */
    public Settings settings() {
        return settings;
    }

    public String store() {
        return values.get(STORE);
    }

    public String host() {
        return values.get(HOST);
    }

    public int port() {
        return port(PORT).orElseThrow();
    }

    public Optional<Integer> metricsPort() {
        return port(METRICS_PORT);
    }

    public boolean allowAnonymous() {
        return PluginConfig.of("", values).getBoolean(ALLOW_ANONYMOUS, false);
    }

    public Optional<URI> mqttUri() {
        return uri(MQTT_URI);
    }

    public Optional<URI> redisUri() {
        return uri(REDIS_URI);
    }

    public String redisPrefix() {
        return values.get(REDIS_PREFIX);
    }

    public Path sqlitePath() {
        return Path.of(values.get(SQLITE_PATH));
    }

    /** {@code scope:token} pairs, in the order given. */
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

    public Optional<Path> hmacSecretFile() {
        return get(HMAC_SECRET_FILE).filter(v -> !v.isBlank()).map(Path::of);
    }

    public String defaultResolver() {
        return values.get(RESOLVER_DEFAULT);
    }

    /** Table → resolver name, for tables whose resolver differs from the default. */
    public Map<String, String> tableResolvers() {
        Map<String, String> tables = new TreeMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(RESOLVER_TABLE_PREFIX)) {
                tables.put(key.substring(RESOLVER_TABLE_PREFIX.length()), value);
            }
        });
        return tables;
    }

    private Optional<Integer> port(String key) {
        Optional<String> raw = get(key).filter(v -> !v.isBlank());
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            int port = Integer.parseInt(raw.get().trim());
            if (port < 0 || port > 65535) {
                throw invalid(key, raw.get(), "a port number 0-65535");
            }
            return Optional.of(port);
        }
        catch (NumberFormatException e) {
            throw invalid(key, raw.get(), "a port number 0-65535");
        }
    }

    private Optional<URI> uri(String key) {
        Optional<String> raw = get(key).filter(v -> !v.isBlank());
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(raw.get().trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw invalid(key, "(redacted)", "a URI like scheme://host:port");
            }
            return Optional.of(uri);
        }
        catch (java.net.URISyntaxException e) {
            // The URI may carry a password: name the key, not the value.
            throw invalid(key, "(redacted)", "a URI like scheme://host:port");
        }
    }

    private static PocketSyncException invalid(String key, String value, String expected) {
        return new PocketSyncException(ErrorCode.CONFIG_INVALID,
                "invalid value '" + value + "' for '" + key + "': expected " + expected);
    }

    /** The effective settings with secrets masked; safe to log. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("{");
        values.forEach((key, value) -> out.append(key).append('=')
                .append(PluginConfig.isSecretKey(key) || key.endsWith(".uri") ? mask(key, value) : value).append(", "));
        if (!values.isEmpty()) {
            out.setLength(out.length() - 2);
        }
        return out.append('}').toString();
    }

    private static String mask(String key, String value) {
        if (key.endsWith(".uri")) {
            // Keep the host visible, hide user info (redis://:password@host).
            return value.replaceAll("//[^@/]*@", "//****@");
        }
        return key.equals(HMAC_SECRET_FILE) ? value : "****";
    }
}
