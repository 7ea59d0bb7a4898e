package io.pocketsync.transport.mqtt;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.core.transport.MessageFraming;
import io.pocketsync.api.PocketSyncException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settings of the MQTT server bridge (namespace {@code transport.mqtt}).
 *
 * @param uri the broker, {@code tcp://} or {@code ssl://}; default {@code tcp://127.0.0.1:1883}
 * @param topicRoot the topic root; default {@code pocketsync/v1}
 * @param clientId the server's MQTT client id, stable across restarts (persistent session); default
 *        {@code pocketsync-server-<nodeId>}
 * @param username broker user name, if the broker wants one
 * @param password broker password (a secret, never logged)
 * @param codec encoding used for a device that has sent nothing yet; default {@code cbor}
 * @param maxMessageBytes largest message accepted from a device; default 1 MiB
 * @param maxQueuedBytes per-device byte budget of publishes not yet accepted by the broker; default 4 MiB
 * @param maxQueuedMessages per-device bound of publishes not yet accepted by the broker; default 1000
 * @param maxInflight the whole client's bound of unacknowledged publishes; default 10000
 * @param keepAlive MQTT keep-alive; default 30 s
 * @param reconnectMaxDelay cap of the automatic reconnect backoff; default 30 s
 * @param idleTimeout a device silent this long loses its virtual connection; default 1 h
 * @param maxAssembledBytes largest message rebuilt from fragments (docs/protocol.md, "Fragments"); 0 takes none; default 32 MiB
 */
public record MqttServerConfig(String uri, String topicRoot, Optional<String> clientId, Optional<String> username,
        String password, String codec, int maxMessageBytes, long maxQueuedBytes, int maxQueuedMessages, int maxInflight,
        Duration keepAlive,
        Duration reconnectMaxDelay, Duration idleTimeout, int maxAssembledBytes) {
    static final List<String> KEYS = List.of("uri", "topic-root", "client-id", "username", "password", "codec",
            "max-message-bytes", "max-queued-bytes", "max-queued-messages", "max-inflight", "keep-alive", "reconnect-max-delay", "idle-timeout",
            MessageFraming.MAX_ASSEMBLED_BYTES);

    /**
     * Reads and validates {@code config}; unknown keys fail.
     *
     * @param config the keys under {@code transport.<name>}
     * @return the settings, defaults filled in
     * @throws io.pocketsync.api.PocketSyncException with {@code CONFIG_INVALID} for an unknown key or a bad value
     */
    public static MqttServerConfig from(PluginConfig config) {
        config.validateKeys(KEYS);
        MqttServerConfig parsed = new MqttServerConfig(
                config.getString("uri", "tcp://127.0.0.1:1883"),
                config.getString("topic-root", "pocketsync/v1"),
                config.get("client-id").filter(s -> !s.isBlank()),
                config.get("username").filter(s -> !s.isBlank()),
                config.getString("password", ""),
                config.getString("codec", "cbor"),
                config.getInt("max-message-bytes", 1024 * 1024),
                config.getLong("max-queued-bytes", 4L * 1024 * 1024),
                config.getInt("max-queued-messages", 1000),
                config.getInt("max-inflight", 10_000),
                config.getDuration("keep-alive", Duration.ofSeconds(30)),
                config.getDuration("reconnect-max-delay", Duration.ofSeconds(30)),
                config.getDuration("idle-timeout", Duration.ofHours(1)),
                config.getInt(MessageFraming.MAX_ASSEMBLED_BYTES, MessageFraming.DEFAULT_MAX_ASSEMBLED_BYTES));
        String prefix = config.namespace().isEmpty() ? "" : config.namespace() + ".";
        require(parsed.maxMessageBytes > 0, prefix + "max-message-bytes must be positive");
        require(parsed.maxAssembledBytes >= 0, prefix + "max-assembled-bytes must not be negative");
        require(parsed.maxQueuedBytes > 0, prefix + "max-queued-bytes must be positive");
        require(parsed.maxQueuedMessages > 0, prefix + "max-queued-messages must be positive");
        require(parsed.maxInflight > 0, prefix + "max-inflight must be positive");
        require(parsed.keepAlive.toSeconds() >= 1, prefix + "keep-alive must be at least 1s");
        require(parsed.reconnectMaxDelay.toMillis() >= 1000, prefix + "reconnect-max-delay must be at least 1s");
        require(parsed.idleTimeout.toSeconds() >= 1, prefix + "idle-timeout must be at least 1s");
        new MqttTopics(parsed.topicRoot);
        return parsed;
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, message);
        }
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "MqttServerConfig[uri=" + uri + ", topicRoot=" + topicRoot + ", clientId=" + clientId.orElse("-")
                + ", username=" + username.orElse("-") + ", password=****, codec=" + codec + ", maxMessageBytes="
                + maxMessageBytes + ", maxQueuedBytes=" + maxQueuedBytes + ", maxQueuedMessages=" + maxQueuedMessages + ", maxInflight=" + maxInflight
                + ", keepAlive=" + keepAlive + ", reconnectMaxDelay=" + reconnectMaxDelay + ", idleTimeout=" + idleTimeout + "]";
    }
}
