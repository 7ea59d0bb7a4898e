package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The server's settings as namespaced configuration keys: built-in defaults, overridden by the
 * {@code --config} file, overridden by command-line flags. Every flag is a key here, so a config file
 * can say anything the command line can.
 *
 * <p>Keys this class owns ({@code server.*}, {@code metrics.*}, {@code auth.*}, {@code resolver.*} and the
 * transport/store keys behind the flags) are checked: an unknown key fails with
 * {@link ErrorCode#CONFIG_INVALID} naming the nearest known one. Other keys under a store's or
 * transport's namespace pass through to that provider, which validates them itself.
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

    /** Every fixed key the CLI understands; used for "did you mean" hints. */
    static final List<String> KNOWN_KEYS = List.of(STORE, ALLOW_ANONYMOUS, HOST, PORT, MQTT_URI, SQLITE_PATH,
            REDIS_URI, REDIS_PREFIX, TOKENS, HMAC_SECRET_FILE, RESOLVER_DEFAULT, RESOLVER_TABLE_PREFIX + "<table>",
            METRICS_PORT);

    /** Namespaces whose further keys belong to a provider (validated by it, not here). */
    private static final List<String> PROVIDER_NAMESPACES = List.of("store.", "transport.", "resolver.");

    private final Map<String, String> values;

    private ServerSettings(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /**
     * Merges defaults, the config file's keys and the flags' keys (later wins) and validates the result.
     *
     * @throws PocketSyncException with {@link ErrorCode#CONFIG_INVALID} for an unknown key or a bad value
     */
    public static ServerSettings of(Map<String, String> fromFile, Map<String, String> fromFlags) {
        requireNonNull(fromFile, "fromFile is null");
        requireNonNull(fromFlags, "fromFlags is null");
        Map<String, String> merged = new LinkedHashMap<>(DEFAULTS);
        fromFile.forEach((key, value) -> merged.put(key.trim(), value.trim()));
        merged.putAll(fromFlags);
        merged.keySet().forEach(ServerSettings::checkKnown);
        ServerSettings settings = new ServerSettings(merged);
        settings.validate();
        return settings;
    }

    /** Defaults plus the flags' keys. */
    public static ServerSettings of(Map<String, String> fromFlags) {
        return of(Map.of(), fromFlags);
    }

    private static void checkKnown(String key) {
        if (KNOWN_KEYS.contains(key) || key.startsWith(RESOLVER_TABLE_PREFIX) && key.length() > RESOLVER_TABLE_PREFIX.length()) {
            return;
        }
        // store.<name>.x, transport.<name>.x and resolver.<name>.x are the named provider's own keys.
        for (String namespace : PROVIDER_NAMESPACES) {
            if (key.startsWith(namespace) && key.indexOf('.', namespace.length()) > namespace.length()
                    && !isOwnedNamespace(key)) {
                return;
            }
        }
        throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "unknown configuration key '" + key + "'"
                + CliErrorHandler.suggestion(key, KNOWN_KEYS).replace("expected one of", "known keys are"));
    }

    /** Whether {@code key} lies in a namespace whose every key is listed in {@link #KNOWN_KEYS}. */
    private static boolean isOwnedNamespace(String key) {
        return key.startsWith("resolver.default.") || key.startsWith("resolver.table.");
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
        String prefix = namespace + ".";
        Map<String, String> keys = new TreeMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                keys.put(key.substring(prefix.length()), value);
            }
        });
        return PluginConfig.of(namespace, keys);
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
