package io.pocketsync.core.config;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.PluginConfig;

/**
 * A known configuration key: its full dash-case name, what it means, its default (null when it has
 * none) and a validator that throws {@link IllegalArgumentException} for a bad value.
 *
 * @param key the full key, e.g. {@code transport.websocket.port}
 * @param description one line for docs and errors
 * @param defaultValue the default as text, or null
 * @param validator checks a value; never null
 */
public record ConfigKey(String key, String description, String defaultValue, Validator validator) {
    /** Checks one value. */
    @FunctionalInterface
    public interface Validator {
        /**
         * Checks one value.
         *
         * @param value the value as written
         * @throws IllegalArgumentException with what was expected
         */
        void check(String value);
    }

    /**
     * Validates the key.
     *
     * @param key the full key, e.g. {@code transport.websocket.port}
     * @param description one line for docs and errors
     * @param defaultValue the default as text, or null
     * @param validator checks a value; never null
     */
    public ConfigKey {
        requireNonNull(key, "key is null");
        requireNonNull(description, "description is null");
        requireNonNull(validator, "validator is null");
    }

    /**
     * A key whose value is any text.
     *
     * @param key the full key
     * @param description one line for docs and errors
     * @param defaultValue the default, or null
     * @return the key
     */
    public static ConfigKey string(String key, String description, String defaultValue) {
        return new ConfigKey(key, description, defaultValue, value -> {});
    }

    /**
     * A key whose value is an integer within {@code [min, max]}.
     *
     * @param key the full key
     * @param description one line for docs and errors
     * @param defaultValue the default
     * @param min the smallest valid value
     * @param max the largest valid value
     * @return the key
     */
    public static ConfigKey integer(String key, String description, long defaultValue, long min, long max) {
        return new ConfigKey(key, description, Long.toString(defaultValue), value -> {
            long parsed;
            try {
                parsed = Long.parseLong(value.trim());
            }
            catch (NumberFormatException e) {
                throw new IllegalArgumentException("an integer");
            }
            if (parsed < min || parsed > max) {
                throw new IllegalArgumentException("an integer from " + min + " to " + max);
            }
        });
    }

    /**
     * A key whose value is {@code true} or {@code false}.
     *
     * @param key the full key
     * @param description one line for docs and errors
     * @param defaultValue the default
     * @return the key
     */
    public static ConfigKey bool(String key, String description, boolean defaultValue) {
        return new ConfigKey(key, description, Boolean.toString(defaultValue), value -> {
            if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException("true or false");
            }
        });
    }

    /**
     * A key whose value is a duration ({@link PluginConfig#parseDuration}).
     *
     * @param key the full key
     * @param description one line for docs and errors
     * @param defaultValue the default as text, or null
     * @return the key
     */
    public static ConfigKey duration(String key, String description, String defaultValue) {
        return new ConfigKey(key, description, defaultValue, value -> {
            try {
                PluginConfig.parseDuration(value);
            }
            catch (RuntimeException e) {
                throw new IllegalArgumentException("a duration like 250ms, 5s, 5m, 2h, 7d or PT5M");
            }
        });
    }

    /**
     * Whether this key's value must never be logged.
     *
     * @return true for tokens, passwords, secrets and key material
     */
    public boolean secret() {
        return PluginConfig.isSecretKey(key);
    }
}
