package io.pocketsync.it.support;

import java.util.UUID;

/** Where the shared test servers are ({@code PS_REDIS_URI}, {@code PS_MQTT_URI}) and unique names for one test. */
public final class TestEnv {
    private TestEnv() {}

    /** {@code PS_REDIS_URI}, default {@code redis://127.0.0.1:6379}. */
    public static String redisUri() {
        return env("PS_REDIS_URI", "redis://127.0.0.1:6379");
    }

    /** {@code PS_MQTT_URI}, default {@code tcp://127.0.0.1:1883}. */
    public static String mqttUri() {
        return env("PS_MQTT_URI", "tcp://127.0.0.1:1883");
    }

    /** {@code prefix} plus a random suffix; valid as a scope, device id, Redis prefix or topic segment. */
    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 12);
    }

    /** A topic root no other test uses. */
    public static String uniqueTopicRoot() {
        return unique("psit") + "/v1";
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
