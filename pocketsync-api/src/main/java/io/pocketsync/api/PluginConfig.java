package io.pocketsync.api;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration a provider receives: the keys under the provider's namespace with the
 * namespace stripped (the store provider {@code redis} sees {@code store.redis.uri} as {@code uri}).
 *
 * <p>Keys are dash-case. Values are strings; the typed getters parse them and throw
 * {@link PocketSyncException} with {@link ErrorCode#CONFIG_INVALID} naming the full key when a value
 * does not parse. A provider must call {@link #validateKeys} (or read every key it knows) so that
 * unknown keys fail start-up.
 *
 * <p>Implementations are immutable and thread-safe. Their {@code toString()} masks secret values
 * (see {@link #isSecretKey}).
 */
public interface PluginConfig {
    /**
     * The namespace of these keys, e.g. {@code store.redis}.
     *
     * @return the namespace without a trailing dot; empty for the root namespace
     */
    String namespace();

    /**
     * The raw value of {@code key}, if set.
     *
     * @param key a dash-case key without the namespace
     * @return the value as written, or empty when the key is not set
     */
    Optional<String> get(String key);

    /**
     * All keys and values (unmasked) of this namespace.
     *
     * @return an immutable map keyed without the namespace
     */
    Map<String, String> asMap();

    /**
     * A string value.
     *
     * @param key a dash-case key without the namespace
     * @param defaultValue returned when the key is not set; may be null
     * @return the value, or {@code defaultValue}
     */
    default String getString(String key, String defaultValue) {
        return get(key).orElse(defaultValue);
    }

    /**
     * An int value.
     *
     * @param key a dash-case key without the namespace
     * @param defaultValue returned when the key is not set
     * @return the parsed value, or {@code defaultValue}
     * @throws PocketSyncException with {@link ErrorCode#CONFIG_INVALID} when the value is not an int
     */
    default int getInt(String key, int defaultValue) {
        return get(key).map(v -> parse(key, v, Integer::parseInt)).orElse(defaultValue);
    }

    /**
     * A long value.
     *
     * @param key a dash-case key without the namespace
     * @param defaultValue returned when the key is not set
     * @return the parsed value, or {@code defaultValue}
     * @throws PocketSyncException with {@link ErrorCode#CONFIG_INVALID} when the value is not a long
     */
    default long getLong(String key, long defaultValue) {
        return get(key).map(v -> parse(key, v, Long::parseLong)).orElse(defaultValue);
    }

    /**
     * A boolean value: {@code true} or {@code false}, in any case; anything else is an error.
     *
     * @param key a dash-case key without the namespace
     * @param defaultValue returned when the key is not set
     * @return the parsed value, or {@code defaultValue}
     * @throws PocketSyncException with {@link ErrorCode#CONFIG_INVALID} for any other value
     */
    default boolean getBoolean(String key, boolean defaultValue) {
        return get(key).map(v -> {
            if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(v);
            }
            throw invalid(key, v, "true or false");
        }).orElse(defaultValue);
    }

    /**
     * A duration as ISO-8601 ({@code PT5M}) or a number with a unit suffix: {@code 250ms}, {@code 5s},
     * {@code 5m}, {@code 2h}, {@code 7d}; a bare number is seconds.
     *
     * @param key a dash-case key without the namespace
     * @param defaultValue returned when the key is not set; may be null
     * @return the parsed value, or {@code defaultValue}
     * @throws PocketSyncException with {@link ErrorCode#CONFIG_INVALID} when the value does not parse
     */
    default Duration getDuration(String key, Duration defaultValue) {
        return get(key).map(v -> parse(key, v, PluginConfig::parseDuration)).orElse(defaultValue);
    }

    /**
     * Fails when a key is set that is not in {@code known}, naming the nearest known key.
     *
     * @param known every key the provider reads, without the namespace
     * @throws PocketSyncException with {@link ErrorCode#CONFIG_INVALID}
     */
    default void validateKeys(java.util.Collection<String> known) {
        for (String key : asMap().keySet()) {
            if (!known.contains(key)) {
                String nearest = null;
                int best = Integer.MAX_VALUE;
                for (String candidate : known) {
                    int distance = editDistance(key, candidate);
                    if (distance < best) {
                        best = distance;
                        nearest = candidate;
                    }
                }
                String prefix = namespace().isEmpty() ? "" : namespace() + ".";
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "unknown configuration key '" + prefix + key + "'"
                        + (nearest == null ? "" : "; did you mean '" + prefix + nearest + "'?"));
            }
        }
    }

    private <T> T parse(String key, String value, java.util.function.Function<String, T> parser) {
        try {
            return parser.apply(value.trim());
        }
        catch (RuntimeException e) {
            throw invalid(key, value, e.getMessage());
        }
    }

    private PocketSyncException invalid(String key, String value, String expected) {
        String prefix = namespace().isEmpty() ? "" : namespace() + ".";
        return new PocketSyncException(ErrorCode.CONFIG_INVALID,
                "invalid value '" + value + "' for '" + prefix + key + "': " + expected);
    }

    /**
     * Parses the duration forms accepted by {@link #getDuration}.
     *
     * @param text the value as written
     * @return the duration
     * @throws IllegalArgumentException when the text is not such a duration
     */
    static Duration parseDuration(String text) {
        String value = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (value.startsWith("p")) {
            return Duration.parse(text.trim());
        }
        int split = 0;
        while (split < value.length() && Character.isDigit(value.charAt(split))) {
            split++;
        }
        if (split == 0) {
            throw new IllegalArgumentException("expected a duration like 250ms, 5s, 5m, 2h, 7d or PT5M");
        }
        long amount = Long.parseLong(value.substring(0, split));
        switch (value.substring(split)) {
            case "ms": return Duration.ofMillis(amount);
            case "s": case "": return Duration.ofSeconds(amount);
            case "m": return Duration.ofMinutes(amount);
            case "h": return Duration.ofHours(amount);
            case "d": return Duration.ofDays(amount);
            default: throw new IllegalArgumentException("unknown duration unit in '" + text + "'");
        }
    }

    /**
     * Levenshtein distance, used for "did you mean" hints.
     *
     * @param a one string
     * @param b the other
     * @return the number of single-character edits that turn {@code a} into {@code b}
     */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /**
     * An immutable config over a map; handy for tests and for building configs by hand.
     *
     * @param namespace the namespace, e.g. {@code store.sqlite}
     * @param values keys without the namespace, and their values; copied
     * @return the config
     */
    static PluginConfig of(String namespace, Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(values);
        return new PluginConfig() {
            @Override
            public String namespace() {
                return namespace;
            }

            @Override
            public Optional<String> get(String key) {
                return Optional.ofNullable(copy.get(key));
            }

            @Override
            public Map<String, String> asMap() {
                return copy;
            }

            @Override
            public String toString() {
                StringBuilder out = new StringBuilder(namespace).append('{');
                new java.util.TreeMap<>(copy).forEach((k, v) -> out.append(k).append('=')
                        .append(isSecretKey(k) ? "****" : v).append(", "));
                if (!copy.isEmpty()) {
                    out.setLength(out.length() - 2);
                }
                return out.append('}').toString();
            }
        };
    }

    /**
     * An empty config for {@code namespace}.
     *
     * @param namespace the namespace, e.g. {@code store.sqlite}
     * @return a config with no key
     */
    static PluginConfig empty(String namespace) {
        return of(namespace, Map.of());
    }

    /**
     * Whether a key names a secret whose value must never be logged (token, password, secret, key material).
     *
     * @param key a dash-case key
     * @return true for keys whose values are masked
     */
    static boolean isSecretKey(String key) {
        String k = key.toLowerCase(java.util.Locale.ROOT);
        return k.contains("token") || k.contains("password") || k.contains("secret") || k.endsWith("-key")
                || k.contains("credential");
    }
}
