package io.pocketsync.it.proof;

/** Where the shared servers are (scripts/test.sh starts them): env overrides, else the local defaults. */
final class Env {
    private Env() {}

    static String redisUri() {
        String value = System.getenv("PS_REDIS_URI");
        return value == null || value.isBlank() ? "redis://127.0.0.1:6379" : value;
    }

    static String mqttUri() {
        String value = System.getenv("PS_MQTT_URI");
        return value == null || value.isBlank() ? "tcp://127.0.0.1:1883" : value;
    }
}
