package io.pocketsync.transport.mqtt;

import static io.pocketsync.transport.mqtt.MqttServerConfig.require;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.core.transport.MessageFraming;
import io.pocketsync.api.transport.ReconnectPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settings of the MQTT client transport (namespace {@code transport.mqtt}); the broker URI comes
 * from the endpoint.
 *
 * @param topicRoot the topic root; default {@code pocketsync/v1}
 * @param clientId the device's MQTT client id, stable across restarts; default {@code ps:<scope>:<device>}
 * @param username broker user name, if the broker wants one (see the README's ACL)
 * @param password broker password (a secret, never logged)
 * @param codec {@code cbor} (default) or {@code json}
 * @param maxMessageBytes largest message sent or accepted; default 1 MiB
 * @param maxInflight unacknowledged publishes the client allows; default 1000
 * @param keepAlive MQTT keep-alive (the heartbeat); default 30 s
 * @param connectTimeout how long one connection attempt may take; default 10 s
 * @param reconnect backoff between attempts ({@code reconnect-initial-delay}, {@code reconnect-max-delay})
 * @param maxAssembledBytes largest message rebuilt from fragments (docs/protocol.md, "Fragments"); 0 takes none; default 32 MiB
 */
public record MqttClientConfig(String topicRoot, Optional<String> clientId, Optional<String> username, String password,
        String codec, int maxMessageBytes, int maxInflight, Duration keepAlive, Duration connectTimeout,
        ReconnectPolicy reconnect, int maxAssembledBytes) {
    static final List<String> KEYS = List.of("topic-root", "client-id", "username", "password", "codec",
            "max-message-bytes", "max-inflight", "keep-alive", "connect-timeout", "reconnect-initial-delay",
            "reconnect-max-delay", MessageFraming.MAX_ASSEMBLED_BYTES);

    /**
     * Reads and validates {@code config}; unknown keys fail.
     *
     * @param config the keys under {@code transport.<name>}
     * @return the settings, defaults filled in
     * @throws io.pocketsync.api.PocketSyncException with {@code CONFIG_INVALID} for an unknown key or a bad value
     */
    public static MqttClientConfig from(PluginConfig config) {
        config.validateKeys(KEYS);
        String prefix = config.namespace().isEmpty() ? "" : config.namespace() + ".";
        Duration initial = config.getDuration("reconnect-initial-delay", ReconnectPolicy.DEFAULT.initial());
        Duration max = config.getDuration("reconnect-max-delay", ReconnectPolicy.DEFAULT.max());
        require(!initial.isNegative() && !initial.isZero() && max.compareTo(initial) >= 0,
                prefix + "reconnect-initial-delay must be positive and not above reconnect-max-delay");
        MqttClientConfig parsed = new MqttClientConfig(
                config.getString("topic-root", "pocketsync/v1"),
                config.get("client-id").filter(s -> !s.isBlank()),
                config.get("username").filter(s -> !s.isBlank()),
                config.getString("password", ""),
                config.getString("codec", "cbor"),
                config.getInt("max-message-bytes", 1024 * 1024),
                config.getInt("max-inflight", 1000),
                config.getDuration("keep-alive", Duration.ofSeconds(30)),
                config.getDuration("connect-timeout", Duration.ofSeconds(10)),
                new ReconnectPolicy(initial, max),
                config.getInt(MessageFraming.MAX_ASSEMBLED_BYTES, MessageFraming.DEFAULT_MAX_ASSEMBLED_BYTES));
        require(parsed.maxMessageBytes > 0, prefix + "max-message-bytes must be positive");
        require(parsed.maxAssembledBytes >= 0, prefix + "max-assembled-bytes must not be negative");
        require(parsed.maxInflight > 0, prefix + "max-inflight must be positive");
        require(parsed.keepAlive.toSeconds() >= 1, prefix + "keep-alive must be at least 1s");
        require(parsed.connectTimeout.toSeconds() >= 1, prefix + "connect-timeout must be at least 1s");
        new MqttTopics(parsed.topicRoot);
        return parsed;
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "MqttClientConfig[topicRoot=" + topicRoot + ", clientId=" + clientId.orElse("-") + ", username="
                + username.orElse("-") + ", password=****, codec=" + codec + ", maxMessageBytes=" + maxMessageBytes
                + ", maxInflight=" + maxInflight + ", keepAlive=" + keepAlive + ", connectTimeout=" + connectTimeout
                + ", reconnect=" + reconnect + "]";
    }
}
