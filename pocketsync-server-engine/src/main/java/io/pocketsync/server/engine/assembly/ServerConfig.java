package io.pocketsync.server.engine.assembly;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.core.config.ConfigKey;
import io.pocketsync.core.config.ConfigSchema;
import io.pocketsync.core.config.Settings;
import io.pocketsync.server.engine.ServerOptions;
import io.pocketsync.server.engine.ServerOptionsConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The configuration of a server, in the one key set every way of running one reads (the {@code pocketsync
 * server} command, the Guice {@code ServerEngineModule}, an app that embeds a server):
 *
 * <ul>
 *   <li>{@code server.store} — the store, by provider name; default {@code sqlite}. Its keys:
 *       {@code store.<name>.*}.</li>
 *   <li>{@code server.transports} — the transports that serve devices, by provider name, comma-separated,
 *       started in this order; default {@code websocket}. Their keys: {@code transport.<name>.*}.</li>
 *   <li>{@code server.auth} — the authenticators, by provider name, comma-separated, tried in this order (the
 *       first that grants wins); no default: authentication is on, so a server without one refuses to start.
 *       Their keys: {@code auth.<name>.*}, e.g. {@code auth.static-token.tokens}, {@code auth.hmac.secret-file}.
 *       {@code anonymous} accepts every device and therefore stands alone.</li>
 *   <li>{@code server.allow-anonymous} — with no {@code server.auth}, accept every device ({@code anonymous});
 *       default {@code false}.</li>
 *   <li>{@code resolver.default} — the conflict resolver of every table; default {@code last-write-wins}.
 *       {@code resolver.table.<table>} — another resolver for one table. Their keys: {@code resolver.<name>.*}.</li>
 *   <li>{@code server.node-id}, {@code server.max-message-bytes}, ... — the engine's limits and timings
 *       ({@link ServerOptionsConfig#KEYS}).</li>
 *   <li>{@code codec.<name>.*} — settings of the codecs the transports use.</li>
 * </ul>
 *
 * <p>Strict, like every PocketSync configuration: a key nobody knows fails with the nearest known key; a key
 * under {@code store.<name>}, {@code transport.<name>}, {@code auth.<name>} or {@code resolver.<name>} of a
 * plugin the selection keys do not name fails too (it would be ignored otherwise, e.g. an MQTT broker that is
 * never served). A selected name that no provider has fails with the names available when that part is
 * created ({@link ServerAssembly}), so a setup that builds only some parts (an engine without transports)
 * needs no other plugin on its classpath. Each plugin validates the keys of its own namespace when it is
 * created.
 *
 * <p>Immutable and thread-safe.
 */
public final class ServerConfig {
    /** Key of the store provider name (default {@code sqlite}). */
    public static final String STORE = "server.store";
    /** Key of the transport provider names, comma-separated, started in order (default {@code websocket}). */
    public static final String TRANSPORTS = "server.transports";
    /** Key of the authenticator provider names, comma-separated, tried in order; no default. */
    public static final String AUTH = "server.auth";
    /** Key that, with no {@link #AUTH}, lets every device in (default false). */
    public static final String ALLOW_ANONYMOUS = "server.allow-anonymous";
    /** Key of the conflict resolver of every table without its own (default {@code last-write-wins}). */
    public static final String RESOLVER_DEFAULT = "resolver.default";
    /** The namespace of per-table resolvers: {@code resolver.table.<table> = <name>}. */
    public static final String RESOLVER_TABLE = "resolver.table";
    /** The authenticator that accepts every device. */
    public static final String ANONYMOUS = "anonymous";

    /** The selection keys, with their defaults; {@link ServerOptionsConfig#KEYS} are the engine's options. */
    public static final List<ConfigKey> KEYS = List.of(
            new ConfigKey(STORE, "the server store, by provider name", "sqlite", ServerConfig::requireName),
            new ConfigKey(TRANSPORTS, "the transports serving devices, by provider name, comma-separated, started in order",
                    "websocket", ServerConfig::requireNames),
            new ConfigKey(AUTH, "the authenticators, by provider name, comma-separated, tried in order", null,
                    value -> names(value)),
            ConfigKey.bool(ALLOW_ANONYMOUS, "with no server.auth, accept every device (the anonymous authenticator)", false),
            new ConfigKey(RESOLVER_DEFAULT, "the conflict resolver of every table without its own", "last-write-wins",
                    ServerConfig::requireName));

    private final Settings settings;
    private final String store;
    private final List<String> transports;
    private final List<String> auth;
    private final boolean allowAnonymous;
    private final String defaultResolver;
    private final Map<String, String> tableResolvers;
    private final ServerOptions options;

    private ServerConfig(Settings settings) {
        this.settings = settings;
        this.store = value(STORE);
        this.transports = names(value(TRANSPORTS));
        this.auth = settings.get(AUTH).map(ServerConfig::names).orElse(List.of());
        this.allowAnonymous = settings.asPluginConfig().getBoolean(ALLOW_ANONYMOUS, false);
        this.defaultResolver = value(RESOLVER_DEFAULT);
        this.tableResolvers = new TreeMap<>(settings.forNamespace(RESOLVER_TABLE).asMap());
        this.options = ServerOptionsConfig.from(settings);
    }

    /**
     * Reads and checks {@code settings} against the key set and the plugins.
     *
     * @param settings the effective settings (defaults, file, overrides)
     * @param plugins the providers whose names may be selected and whose namespaces are accepted
     * @return the validated configuration
     * @throws PocketSyncException {@code CONFIG_INVALID} for an unknown key, a bad value or a key of a plugin that
     *         is not selected
     */
    public static ServerConfig from(Settings settings, ServerPlugins plugins) {
        requireNonNull(settings, "settings is null");
        requireNonNull(plugins, "plugins is null");
        schema(plugins).validate(settings);
        ServerConfig config = new ServerConfig(settings);
        config.checkSelection();
        return config;
    }

    /**
     * The known keys: {@link #KEYS}, {@link ServerOptionsConfig#KEYS}, and the namespaces of the plugins, whose
     * keys the plugins check. Callers that accept keys of their own register them on the result.
     *
     * @param plugins the providers whose namespaces are delegated to them
     * @return a new, mutable schema
     */
    public static ConfigSchema schema(ServerPlugins plugins) {
        ConfigSchema schema = new ConfigSchema();
        KEYS.forEach(schema::register);
        ServerOptionsConfig.KEYS.forEach(schema::register);
        schema.delegate(RESOLVER_TABLE);
        plugins.stores().names().forEach(name -> schema.delegate("store." + name));
        plugins.transports().names().forEach(name -> schema.delegate("transport." + name));
        plugins.authenticators().names().forEach(name -> schema.delegate("auth." + name));
        plugins.resolvers().names().forEach(name -> schema.delegate("resolver." + name));
        plugins.codecs().names().forEach(name -> schema.delegate("codec." + name));
        return schema;
    }

    /**
     * The defaults of {@link #KEYS} that have one, as settings (for showing the effective configuration).
     *
     * @return a new map of key to default value, in {@link #KEYS} order
     */
    public static Map<String, String> defaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        KEYS.stream().filter(key -> key.defaultValue() != null).forEach(key -> defaults.put(key.key(), key.defaultValue()));
        return defaults;
    }

    /**
     * The settings this configuration was read from.
     *
     * @return the settings as given, unknown-key checks already passed
     */
    public Settings settings() {
        return settings;
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
     * {@code server.store}.
     *
     * @return the selected store provider name
     */
    public String store() {
        return store;
    }

    /**
     * {@code server.transports}, in start order.
     *
     * @return the selected transport provider names; at least one
     */
    public List<String> transports() {
        return transports;
    }

    /**
     * {@code server.auth}, in the order they are tried; empty when none is named.
     *
     * @return the authenticator provider names
     */
    public List<String> auth() {
        return auth;
    }

    /**
     * {@code server.allow-anonymous}.
     *
     * @return whether every device is let in when no authenticator is named
     */
    public boolean allowAnonymous() {
        return allowAnonymous;
    }

    /**
     * {@code resolver.default}.
     *
     * @return the resolver provider name of tables without their own
     */
    public String defaultResolver() {
        return defaultResolver;
    }

    /**
     * {@code resolver.table.<table>}: table → resolver name, for tables whose resolver is not the default.
     *
     * @return an unmodifiable map, sorted by table name
     */
    public Map<String, String> tableResolvers() {
        return java.util.Collections.unmodifiableMap(tableResolvers);
    }

    /**
     * The engine's limits and timings ({@code server.node-id}, ...); read once, so a random node id stays put.
     *
     * @return the options; the same instance on every call
     */
    public ServerOptions options() {
        return options;
    }

    private Set<String> resolverNames() {
        Set<String> names = new LinkedHashSet<>(List.of(defaultResolver));
        names.addAll(tableResolvers.values());
        return names;
    }

    private void checkSelection() {
        if (auth.contains(ANONYMOUS) && auth.size() > 1) {
            throw invalid("'" + AUTH + "' names " + ANONYMOUS + " with other authenticators; " + ANONYMOUS
                    + " accepts every device, so it can only stand alone");
        }
        Set<String> authenticators = new LinkedHashSet<>(auth);
        if (auth.isEmpty() && allowAnonymous) {
            authenticators.add(ANONYMOUS);
        }
        checkSelected("store", Set.of(store), STORE);
        checkSelected("transport", new LinkedHashSet<>(transports), TRANSPORTS);
        checkSelected("auth", authenticators, AUTH);
        checkSelected("resolver", resolverNames(), RESOLVER_DEFAULT + "' or '" + RESOLVER_TABLE + ".<table>");
    }

    /** Every key {@code <kind>.<name>.*} must belong to a selected name. */
    private void checkSelected(String kind, Collection<String> selected, String selectionKey) {
        String prefix = kind + ".";
        for (String key : settings.asMap().keySet()) {
            // resolver.default and resolver.table.* select resolvers; they configure none
            if (!key.startsWith(prefix) || key.equals(RESOLVER_DEFAULT) || key.startsWith(RESOLVER_TABLE + ".")) {
                continue;
            }
            String rest = key.substring(prefix.length());
            int dot = rest.indexOf('.');
            String name = dot < 0 ? rest : rest.substring(0, dot);
            if (!selected.contains(name)) {
                throw invalid("'" + key + "' configures the " + kind + " '" + name + "', which '" + selectionKey
                        + "' does not name (" + (selected.isEmpty() ? "it names none" : "it names " + String.join(", ", selected))
                        + "); name it there or remove the key");
            }
        }
    }

    private String value(String key) {
        return settings.get(key).map(String::trim)
                .orElseGet(() -> KEYS.stream().filter(k -> k.key().equals(key)).findFirst().orElseThrow().defaultValue());
    }

    /** A comma-separated list of provider names: trimmed, none blank, none twice. */
    static List<String> names(String value) {
        List<String> names = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String name = part.trim();
            if (name.isEmpty() && value.isBlank()) {
                continue;
            }
            if (name.isEmpty()) {
                throw new IllegalArgumentException("provider names separated by commas, none empty");
            }
            if (names.contains(name)) {
                throw new IllegalArgumentException("provider names separated by commas, none twice (" + name + ")");
            }
            names.add(name);
        }
        return List.copyOf(names);
    }

    private static void requireName(String value) {
        if (value.isBlank() || value.contains(",")) {
            throw new IllegalArgumentException("one provider name");
        }
    }

    private static void requireNames(String value) {
        if (names(value).isEmpty()) {
            throw new IllegalArgumentException("at least one provider name");
        }
    }

    private static PocketSyncException invalid(String message) {
        return new PocketSyncException(ErrorCode.CONFIG_INVALID, message);
    }
}
