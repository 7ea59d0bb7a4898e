package io.pocketsync.transport.websocket;

import static io.pocketsync.transport.websocket.WebSocketServerConfig.require;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.core.transport.MessageFraming;
import io.pocketsync.api.transport.ReconnectPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settings of the WebSocket client transport (namespace {@code transport.websocket}).
 *
 * @param codec the encoding the device sends, and so the one the server answers in: {@code cbor} (binary frames, default:
 *        smaller and cheaper to read and write than JSON, and the frames need no UTF-8 check) or {@code json} (text
 *        frames, readable in a packet capture)
 * @param maxMessageBytes largest message the device sends; bigger ones fail with {@code MESSAGE_TOO_LARGE}; default 1 MiB
 * @param heartbeatInterval ping interval; a server silent for 1.5 intervals counts as gone; default 30 s
 * @param connectTimeout how long one connection attempt may take; default 10 s
 * @param reconnect backoff between attempts ({@code reconnect-initial-delay}, {@code reconnect-max-delay})
 * @param truststorePath trust store for {@code wss://} servers with private certificates; empty: the JDK's
 * @param truststorePassword the trust store's password (a secret, never logged)
 * @param truststoreType the trust store's type; default PKCS12
 * @param maxAssembledBytes largest message rebuilt from fragments (docs/protocol.md, "Fragments"); 0 takes none; default 32 MiB
 */
public record WebSocketClientConfig(String codec, int maxMessageBytes, Duration heartbeatInterval, Duration connectTimeout,
        ReconnectPolicy reconnect, Optional<String> truststorePath, String truststorePassword, String truststoreType,
        int maxAssembledBytes) {
    /** The encoding a device uses unless configured otherwise. */
    public static final String DEFAULT_CODEC = "cbor";

    static final List<String> KEYS = List.of("codec", "max-message-bytes", "heartbeat-interval", "connect-timeout",
            "reconnect-initial-delay", "reconnect-max-delay", "truststore-path", "truststore-password", "truststore-type",
            MessageFraming.MAX_ASSEMBLED_BYTES);

    /**
     * Reads and validates {@code config}; unknown keys fail.
     *
     * @param config the keys under {@code transport.<name>}
     * @return the settings, defaults filled in
     * @throws io.pocketsync.api.PocketSyncException with {@code CONFIG_INVALID} for an unknown key or a bad value
     */
    public static WebSocketClientConfig from(PluginConfig config) {
        config.validateKeys(KEYS);
        String prefix = config.namespace().isEmpty() ? "" : config.namespace() + ".";
        Duration initial = config.getDuration("reconnect-initial-delay", ReconnectPolicy.DEFAULT.initial());
        Duration max = config.getDuration("reconnect-max-delay", ReconnectPolicy.DEFAULT.max());
        require(!initial.isNegative() && !initial.isZero() && max.compareTo(initial) >= 0,
                prefix + "reconnect-initial-delay must be positive and not above reconnect-max-delay");
        WebSocketClientConfig parsed = new WebSocketClientConfig(
                config.getString("codec", DEFAULT_CODEC),
                config.getInt("max-message-bytes", 1024 * 1024),
                config.getDuration("heartbeat-interval", Duration.ofSeconds(30)),
                config.getDuration("connect-timeout", Duration.ofSeconds(10)),
                new ReconnectPolicy(initial, max),
                config.get("truststore-path").filter(p -> !p.isBlank()),
                config.getString("truststore-password", ""),
                config.getString("truststore-type", "PKCS12"),
                config.getInt(MessageFraming.MAX_ASSEMBLED_BYTES, MessageFraming.DEFAULT_MAX_ASSEMBLED_BYTES));
        require(parsed.maxMessageBytes > 0, prefix + "max-message-bytes must be positive");
        require(parsed.maxAssembledBytes >= 0, prefix + "max-assembled-bytes must not be negative");
        require(parsed.heartbeatInterval.toSeconds() >= 1, prefix + "heartbeat-interval must be at least 1s");
        require(parsed.connectTimeout.toMillis() > 0, prefix + "connect-timeout must be positive");
        return parsed;
    }

    /** Never prints the trust store password. */
    @Override
    public String toString() {
        return "WebSocketClientConfig[codec=" + codec + ", maxMessageBytes=" + maxMessageBytes + ", heartbeatInterval="
                + heartbeatInterval + ", connectTimeout=" + connectTimeout + ", reconnect=" + reconnect + ", truststorePath="
                + truststorePath.orElse("-") + ", truststorePassword=****, truststoreType=" + truststoreType + "]";
    }
}
