package io.pocketsync.core.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The whole configuration: namespaced dash-case keys ({@code store.redis.uri}) with string values,
 * loaded from a properties file, a YAML file (nested maps are joined with dots, lists with commas) or a
 * map. Plugins see their part through {@link #forNamespace(String)}; {@link ConfigSchema#validate} checks
 * the keys at start-up.
 *
 * <p>Immutable and thread-safe. {@link #toString()} masks secret values (keys with token, secret,
 * password, credential).
 */
public final class Settings {
    private static final Settings EMPTY = new Settings(Map.of());

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = values;
    }

    /**
     * No settings.
     *
     * @return the empty settings
     */
    public static Settings empty() {
        return EMPTY;
    }

    /**
     * Settings over a map of full keys to values.
     *
     * @param values full dash-case keys to values; no null value
     * @return the settings, sorted by key
     */
    public static Settings of(Map<String, String> values) {
        Map<String, String> copy = new TreeMap<>();
        values.forEach((k, v) -> copy.put(checkKey(k), requireNonNull(v, () -> "value of " + k + " is null")));
        return new Settings(java.util.Collections.unmodifiableMap(copy));
    }

    /**
     * Loads a {@code .properties}, {@code .yaml} or {@code .yml} file.
     *
     * @param file the file
     * @return its settings
     * @throws PocketSyncException with {@link ErrorCode#CONFIG_INVALID} when it cannot be read or parsed
     */
    public static Settings load(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        try {
            if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                try (InputStream in = Files.newInputStream(file)) {
                    return fromYaml(in);
                }
            }
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                Properties properties = new Properties();
                properties.load(in);
                Map<String, String> map = new LinkedHashMap<>();
                properties.stringPropertyNames().forEach(k -> map.put(k.trim(), properties.getProperty(k).trim()));
                return of(map);
            }
        }
        catch (IOException | RuntimeException e) {
            if (e instanceof PocketSyncException) {
                throw (PocketSyncException) e;
            }
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "cannot read configuration " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads YAML: nested maps become dotted keys, scalar lists comma-separated values.
     *
     * @param in the YAML text; not closed
     * @return its settings
     * @throws IOException when the stream cannot be read or is not YAML
     */
    public static Settings fromYaml(InputStream in) throws IOException {
        JsonNode root;
        try {
            root = YamlReader.readTree(in);
        }
        catch (NoClassDefFoundError e) {
            // jackson-dataformat-yaml is an optional dependency: servers have it, devices need not.
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID,
                    "YAML configuration needs com.fasterxml.jackson.dataformat:jackson-dataformat-yaml on the classpath; "
                            + "add it or use a .properties file", e);
        }
        Map<String, String> map = new LinkedHashMap<>();
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            if (!root.isObject()) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "the YAML configuration must be a map of keys");
            }
            flatten("", root, map);
        }
        return of(map);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), out);
            }
        }
        else if (node.isArray()) {
            StringBuilder joined = new StringBuilder();
            for (JsonNode item : node) {
                if (item.isContainerNode()) {
                    throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "'" + prefix + "' must be a list of plain values");
                }
                joined.append(joined.length() == 0 ? "" : ",").append(item.asText());
            }
            out.put(prefix, joined.toString());
        }
        else if (!node.isNull()) {
            out.put(prefix, node.asText());
        }
    }

    /**
     * These settings with {@code overrides} on top (e.g. command-line options over the file).
     *
     * @param overrides full keys to values that replace these
     * @return new settings
     */
    public Settings withOverrides(Map<String, String> overrides) {
        Map<String, String> merged = new TreeMap<>(values);
        merged.putAll(overrides);
        return of(merged);
    }

    /**
     * The value of one key.
     *
     * @param key the full key
     * @return the value, or empty when it is not set
     */
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /**
     * All keys and (unmasked) values, sorted by key.
     *
     * @return an unmodifiable map
     */
    public Map<String, String> asMap() {
        return values;
    }

    /**
     * The keys under {@code namespace} with the namespace stripped: {@code store.redis.uri} is {@code uri} in
     * {@code store.redis}.
     *
     * @param namespace e.g. {@code store.redis}
     * @return the plugin's view
     */
    public PluginConfig forNamespace(String namespace) {
        requireNonNull(namespace, "namespace is null");
        String prefix = namespace + ".";
        Map<String, String> part = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                part.put(k.substring(prefix.length()), v);
            }
        });
        return PluginConfig.of(namespace, part);
    }

    /**
     * The full view as a plugin config with an empty namespace.
     *
     * @return every key, unstripped
     */
    public PluginConfig asPluginConfig() {
        return PluginConfig.of("", values);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("Settings{");
        values.forEach((k, v) -> out.append(k).append('=').append(PluginConfig.isSecretKey(k) ? "****" : v).append(", "));
        if (!values.isEmpty()) {
            out.setLength(out.length() - 2);
        }
        return out.append('}').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Settings other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    private static String checkKey(String key) {
        if (key == null || key.isBlank() || key.startsWith(".") || key.endsWith(".") || key.contains("..")) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "invalid configuration key '" + key + "'");
        }
        return key;
    }
}
