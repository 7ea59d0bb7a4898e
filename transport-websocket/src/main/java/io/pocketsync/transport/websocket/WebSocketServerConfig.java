package io.pocketsync.transport.websocket;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.core.transport.MessageFraming;
import io.pocketsync.api.PocketSyncException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settings of the WebSocket server transport (namespace {@code transport.websocket}).
 *
 * @param host address to bind; default {@code 127.0.0.1}
 * @param port port to bind; default 8787, 0 picks a free port
 * @param path the HTTP path devices connect to; default {@code /sync}
 * @param maxMessageBytes largest message accepted from a device; default 1 MiB
 * @param maxQueuedBytes per-connection outbound byte budget (encoded messages queued for one device); default 4 MiB
 * @param maxQueuedMessages per-connection outbound bound in frames; default 1000
 * @param heartbeatInterval how often pings go out; a peer silent for 1.5 intervals is dropped; default 30 s
 * @param codec encoding used before a device has sent anything; default {@code json}
 * @param keystorePath PKCS12/JKS key store for {@code wss://}; empty means plain {@code ws://}
 * @param keystorePassword the key store's password (a secret, never logged)
 * @param keystoreType the key store's type; default PKCS12
 * @param maxAssembledBytes largest message rebuilt from fragments (docs/protocol.md, "Fragments"); 0 takes none; default 32 MiB
 * @param handshakeTimeout how long a socket may take from its TCP accept to the WebSocket upgrade before it is closed;
 *        default 10 s (the engine's {@code server.handshake-timeout} bounds the time from the upgrade to WELCOME)
 * @param maxPendingPerAddress the most sockets of one IP address that may be accepted and not yet upgraded; more are
 *        closed at once; default 64
 */
public record WebSocketServerConfig(String host, int port, String path, int maxMessageBytes, long maxQueuedBytes,
        int maxQueuedMessages, Duration heartbeatInterval, String codec, Optional<String> keystorePath, String keystorePassword,
        String keystoreType, int maxAssembledBytes, Duration handshakeTimeout, int maxPendingPerAddress) {
    /** Default of {@code max-queued-bytes}: four full pages or frames per device. */
    static final long DEFAULT_MAX_QUEUED_BYTES = 4L * 1024 * 1024;
    static final List<String> KEYS = List.of("host", "port", "path", "max-message-bytes", "max-queued-bytes", "max-queued-messages",
            "heartbeat-interval", "codec", "keystore-path", "keystore-password", "keystore-type",
            MessageFraming.MAX_ASSEMBLED_BYTES, "handshake-timeout", "max-pending-handshakes-per-address");

    /**
     * Reads and validates {@code config}; unknown keys fail.
     *
     * @param config the keys under {@code transport.<name>}
     * @return the settings, defaults filled in
     * @throws io.pocketsync.api.PocketSyncException with {@code CONFIG_INVALID} for an unknown key or a bad value
     */
    public static WebSocketServerConfig from(PluginConfig config) {
        config.validateKeys(KEYS);
        WebSocketServerConfig parsed = new WebSocketServerConfig(
                config.getString("host", "127.0.0.1"),
                config.getInt("port", 8787),
                config.getString("path", "/sync"),
                config.getInt("max-message-bytes", 1024 * 1024),
                config.getLong("max-queued-bytes", DEFAULT_MAX_QUEUED_BYTES),
                config.getInt("max-queued-messages", 1000),
                config.getDuration("heartbeat-interval", Duration.ofSeconds(30)),
                config.getString("codec", "json"),
                config.get("keystore-path").filter(p -> !p.isBlank()),
                config.getString("keystore-password", ""),
                config.getString("keystore-type", "PKCS12"),
                config.getInt(MessageFraming.MAX_ASSEMBLED_BYTES, MessageFraming.DEFAULT_MAX_ASSEMBLED_BYTES),
                config.getDuration("handshake-timeout", Duration.ofSeconds(10)),
                config.getInt("max-pending-handshakes-per-address", 64));
        String prefix = config.namespace().isEmpty() ? "" : config.namespace() + ".";
        require(parsed.port >= 0 && parsed.port <= 65535, prefix + "port must be 0-65535");
        require(parsed.path.startsWith("/"), prefix + "path must start with /");
        require(parsed.maxMessageBytes > 0, prefix + "max-message-bytes must be positive");
        require(parsed.maxAssembledBytes >= 0, prefix + "max-assembled-bytes must not be negative");
        require(parsed.maxQueuedBytes > 0, prefix + "max-queued-bytes must be positive");
        require(parsed.handshakeTimeout.toMillis() >= 100, prefix + "handshake-timeout must be at least 100ms");
        require(parsed.maxPendingPerAddress > 0, prefix + "max-pending-handshakes-per-address must be positive");
        require(parsed.maxQueuedMessages > 0, prefix + "max-queued-messages must be positive");
        require(parsed.heartbeatInterval.toSeconds() >= 1, prefix + "heartbeat-interval must be at least 1s");
        return parsed;
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, message);
        }
    }

    /** Never prints the key store password. */
    @Override
    public String toString() {
        return "WebSocketServerConfig[host=" + host + ", port=" + port + ", path=" + path + ", maxMessageBytes="
                + maxMessageBytes + ", maxQueuedBytes=" + maxQueuedBytes + ", maxQueuedMessages=" + maxQueuedMessages + ", heartbeatInterval=" + heartbeatInterval
                + ", codec=" + codec + ", keystorePath=" + keystorePath.orElse("-") + ", keystorePassword=****"
                + ", keystoreType=" + keystoreType + ", maxAssembledBytes=" + maxAssembledBytes + ", handshakeTimeout="
                + handshakeTimeout + ", maxPendingPerAddress=" + maxPendingPerAddress + "]";
    }
}
