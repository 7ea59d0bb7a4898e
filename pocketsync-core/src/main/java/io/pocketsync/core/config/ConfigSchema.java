package io.pocketsync.core.config;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The registry of known keys. A namespace can be delegated ({@code store.redis}): keys under it are
 * checked by that plugin through {@link PluginConfig#validateKeys}, not here. Not thread-safe while being
 * built; share it only after registration is done.
 */
public final class ConfigSchema {
    private final Map<String, ConfigKey> keys = new LinkedHashMap<>();
    private final List<String> delegated = new ArrayList<>();

    /**
     * Registers keys.
     *
     * @param more the keys
     * @return this
     * @throws IllegalArgumentException when a key is registered twice
     */
    public ConfigSchema register(ConfigKey... more) {
        for (ConfigKey key : more) {
            if (keys.putIfAbsent(key.key(), key) != null) {
                throw new IllegalArgumentException("configuration key registered twice: " + key.key());
            }
        }
        return this;
    }

    /**
     * Accepts every key under {@code namespace}; the plugin owning it validates them.
     *
     * @param namespace e.g. {@code store.redis}
     * @return this
     */
    public ConfigSchema delegate(String namespace) {
        delegated.add(requireNonNull(namespace, "namespace is null"));
        return this;
    }

    /**
     * A registered key.
     *
     * @param key the full key
     * @return the key, or empty when it is not registered (delegated keys are not)
     */
    public Optional<ConfigKey> key(String key) {
        return Optional.ofNullable(keys.get(key));
    }

    /**
     * Every registered key.
     *
     * @return the keys in registration order; a copy
     */
    public Collection<ConfigKey> keys() {
        return List.copyOf(keys.values());
    }

    /**
     * The namespaces whose keys their plugins check.
     *
     * @return the delegated namespaces ({@code store.redis}, ...) in registration order; a copy
     */
    public List<String> delegatedNamespaces() {
        return List.copyOf(delegated);
    }

    /**
     * Checks every key of {@code settings}: known (or under a delegated namespace) and with a valid value.
     *
     * @param settings the settings to check
     * @throws PocketSyncException with {@link ErrorCode#CONFIG_INVALID} naming the key and, for an unknown key,
     *         the nearest valid one
     */
    public void validate(Settings settings) {
        Map<String, String> undelegated = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : settings.asMap().entrySet()) {
            if (!isDelegated(entry.getKey())) {
                undelegated.put(entry.getKey(), entry.getValue());
            }
        }
        TreeSet<String> candidates = new TreeSet<>(keys.keySet());
        delegated.forEach(namespace -> candidates.add(namespace + ".*"));
        PluginConfig.of("", undelegated).validateKeys(candidates);
        for (Map.Entry<String, String> entry : undelegated.entrySet()) {
            ConfigKey key = keys.get(entry.getKey());
            try {
                key.validator().check(entry.getValue());
            }
            catch (IllegalArgumentException e) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "invalid value "
                        + (key.secret() ? "****" : "'" + entry.getValue() + "'") + " for '" + key.key() + "': expected " + e.getMessage());
            }
        }
    }

    /**
     * The value of {@code key} in {@code settings}, or its registered default.
     *
     * @param settings the settings
     * @param key the full key
     * @return the value, the default, or empty when neither exists
     */
    public Optional<String> valueOrDefault(Settings settings, String key) {
        return settings.get(key).or(() -> key(key).map(ConfigKey::defaultValue));
    }

    private boolean isDelegated(String key) {
        for (String namespace : delegated) {
            if (key.startsWith(namespace + ".")) {
                return true;
            }
        }
        return false;
    }
}
