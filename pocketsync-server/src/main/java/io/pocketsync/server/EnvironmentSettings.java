package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.core.config.ConfigKey;
import io.pocketsync.core.config.ConfigSchema;
import io.pocketsync.core.config.Settings;
import io.pocketsync.server.engine.assembly.ServerConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code POCKETSYNC_*} environment variables as a layer of server settings, so that a service manager
 * (systemd's {@code Environment=} and {@code EnvironmentFile=}, a container) can set every key without a file.
 *
 * <p>A key's variable is {@code POCKETSYNC_} followed by the key upper-cased with {@code .} and {@code -} as
 * {@code _}: {@code store.sqlite.path} is {@code POCKETSYNC_STORE_SQLITE_PATH}. As {@code _} stands for two
 * characters, a variable is read back by matching it against the known keys ({@link ConfigSchema#keys()}), then
 * against the plugins' namespaces ({@link ConfigSchema#delegatedNamespaces()}), the longest first: the rest of the
 * name becomes a dash-case key in that namespace ({@code POCKETSYNC_STORE_SQLITE_BUSY_TIMEOUT} is
 * {@code store.sqlite.busy-timeout}), except under {@code resolver.table}, where the rest is a table name and is
 * taken as written ({@code POCKETSYNC_RESOLVER_TABLE_todo_item=field-merge}). An empty variable is unset.
 *
 * <p>The layer ranks between the config file and the flags (see {@link ServerCommand#settings()}): a file can be
 * shipped with a package and the environment of one installation adjust it, while a flag typed for one run
 * still wins. Like the file, the environment names no plugin by itself: a key of a plugin that the selection
 * keys do not name fails, as it does in a file.
 *
 * <p>Strict, like every PocketSync configuration: a {@code POCKETSYNC_*} variable that is no key and not one of
 * the {@link #NON_SETTING_VARIABLES} fails with {@link ErrorCode#CONFIG_INVALID} naming the nearest known
 * variable, so a misspelt setting cannot be silently ignored. Values of secret keys are never echoed.
 */
final class EnvironmentSettings {
    /** The prefix of every PocketSync variable. */
    static final String PREFIX = "POCKETSYNC_";

    /**
     * The {@code POCKETSYNC_*} variables that are not settings keys: other parts of the command read them, and this
     * layer neither reads them nor reports them as unknown. A new variable of that kind is added here and to
     * {@code docs/operations.md}, "Environment variables".
     */
    static final Set<String> NON_SETTING_VARIABLES = Set.of(
            "POCKETSYNC_REBUILD",             // the source tree's ./pocketsync: rebuild the jar before running
            "POCKETSYNC_TOKEN",               // device, verify: the device's token
            "POCKETSYNC_TOKENS",              // server: static tokens, SCOPE:TOKEN pairs
            "POCKETSYNC_HMAC_SECRET",         // server, token: the HMAC token secret itself
            "POCKETSYNC_JWT_SECRET",          // server, token --jwt: the JWT HS256 secret itself
            "POCKETSYNC_ADMIN_TOKEN",         // server: the admin API's token
            "POCKETSYNC_MQTT_USERNAME",       // device: MQTT broker credentials
            "POCKETSYNC_MQTT_PASSWORD",
            "POCKETSYNC_TRUSTSTORE_PASSWORD", // device: the TLS trust store
            "POCKETSYNC_LOG_FORMAT",          // every command: text or JSON log lines
            "POCKETSYNC_LOG_LEVEL");          // every command: the root log level

    /** Namespaces whose rest is a name of the app's (a table), not a dash-case key: kept as written. */
    private static final Set<String> VERBATIM_NAMESPACES = Set.of(ServerConfig.RESOLVER_TABLE);

    private EnvironmentSettings() {}

    /**
     * The variable that sets {@code key}.
     *
     * @param key a full dash-case key, e.g. {@code store.sqlite.path}
     * @return e.g. {@code POCKETSYNC_STORE_SQLITE_PATH}
     */
    static String variableName(String key) {
        return PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * The settings the {@code POCKETSYNC_*} variables of {@code environment} set.
     *
     * @param environment the process environment, e.g. {@link System#getenv()}
     * @param schema the known keys and plugin namespaces, e.g. {@link ServerSettings#schema()}
     * @return the keys set, with their values stripped; empty when no variable sets one
     * @throws PocketSyncException with {@link ErrorCode#CONFIG_INVALID} for an unknown {@code POCKETSYNC_*}
     *         variable, one that could mean two keys, or a bad value of a known key
     */
    static Settings read(Map<String, String> environment, ConfigSchema schema) {
        requireNonNull(environment, "environment is null");
        requireNonNull(schema, "schema is null");
        Map<String, List<ConfigKey>> known = new HashMap<>();
        schema.keys().forEach(key -> known.computeIfAbsent(variableName(key.key()), name -> new ArrayList<>()).add(key));
        List<String> namespaces = new ArrayList<>(schema.delegatedNamespaces());
        namespaces.sort(Comparator.comparingInt(String::length).reversed());

        Map<String, String> values = new TreeMap<>();
        Set<String> unknown = new TreeSet<>();
        for (Map.Entry<String, String> variable : new TreeMap<>(environment).entrySet()) {
            String name = variable.getKey();
            String value = variable.getValue().strip();
            if (!name.startsWith(PREFIX) || NON_SETTING_VARIABLES.contains(name) || value.isEmpty()) {
                continue;
            }
            List<ConfigKey> keys = known.get(name);
            if (keys != null && keys.size() > 1) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, name + " could mean any of "
                        + keys.stream().map(ConfigKey::key).toList() + "; set that key in the --config file instead");
            }
            if (keys != null) {
                check(name, keys.get(0), value);
                values.put(keys.get(0).key(), value);
                continue;
            }
            Optional<String> key = inNamespace(name, namespaces);
            if (key.isPresent()) {
                values.put(key.get(), value);
            }
            else {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw unknown(unknown, known.keySet());
        }
        return Settings.of(values);
    }

    /**
     * The names of the {@code POCKETSYNC_*} variables {@link #read} takes as settings, for the start-up log.
     *
     * @param environment the process environment
     * @return the names, sorted; their values are not included (some are secrets)
     */
    static List<String> settingVariables(Map<String, String> environment) {
        return environment.entrySet().stream()
                .filter(variable -> variable.getKey().startsWith(PREFIX) && !NON_SETTING_VARIABLES.contains(variable.getKey())
                        && !variable.getValue().isBlank())
                .map(Map.Entry::getKey).sorted().toList();
    }

    /** The key {@code name} sets under the longest plugin namespace it starts with. */
    private static Optional<String> inNamespace(String name, List<String> namespaces) {
        for (String namespace : namespaces) {
            String prefix = variableName(namespace) + "_";
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                String rest = name.substring(prefix.length());
                return Optional.of(namespace + "." + (VERBATIM_NAMESPACES.contains(namespace) ? rest
                        : rest.toLowerCase(Locale.ROOT).replace('_', '-')));
            }
        }
        return Optional.empty();
    }

    /** The key's own check, failing with the variable's name (the key alone would send people to the file). */
    private static void check(String name, ConfigKey key, String value) {
        try {
            key.validator().check(value);
        }
        catch (IllegalArgumentException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "invalid value " + (key.secret() ? "****" : "'" + value + "'")
                    + " for " + name + " (" + key.key() + "): expected " + e.getMessage());
        }
    }

    private static PocketSyncException unknown(Set<String> unknown, Set<String> known) {
        String first = unknown.iterator().next();
        String nearest = null;
        int best = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = PluginConfig.editDistance(first, candidate);
            if (distance < best) {
                best = distance;
                nearest = candidate;
            }
        }
        return new PocketSyncException(ErrorCode.CONFIG_INVALID, "unknown environment variable"
                + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                + ": no server setting has that name" + (nearest == null ? "" : "; did you mean " + nearest + "?")
                + " (a key's variable is " + PREFIX + "KEY with '.' and '-' as '_'; see docs/operations.md)");
    }
}
