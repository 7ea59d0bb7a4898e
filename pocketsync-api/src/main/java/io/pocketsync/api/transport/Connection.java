package io.pocketsync.api.transport;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.Message;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The server side of one device connection (a socket for WebSocket, a device topic pair for MQTT).
 *
 * <p>Thread-safe. {@link #send} never blocks: each connection has an outbound queue bounded in bytes (the
 * encoded messages it holds). When the budget is spent the message is dropped, {@code send} returns false, and
 * the transport delivers an {@code ERROR CATCH_UP_REQUIRED} to the device once it has read enough, so the device
 * pulls what it missed. Memory per connection therefore stays bounded however slow the device is.
 */
public interface Connection {
    /**
     * A unique id of this connection, for logs.
     *
     * @return an id unique within this process
     */
    String id();

    /**
     * The transport's name, e.g. {@code websocket}.
     *
     * @return the provider name of the transport that made this connection
     */
    String transport();

    /**
     * The peer's address, for logs.
     *
     * @return a human-readable address; never null
     */
    String remoteAddress();

    /**
     * The network address of the device itself, without port (for example {@code 192.0.2.7} or {@code 2001:db8::7}),
     * when the transport sees it: a WebSocket peer's IP. The engine bounds pending handshakes and throttles failed
     * logins per address with it. Empty when devices reach the server through an intermediary (an MQTT broker, whose
     * own limits apply) or the transport cannot tell.
     *
     * @return the peer's IP address as text, or empty
     */
    default Optional<String> peerAddress() {
        return Optional.empty();
    }

    /**
     * For transports whose addressing names the scope and device (MQTT topics): the scope the address
     * claims. The engine refuses a HELLO for another scope. Empty for socket transports.
     *
     * @return the scope named by the address, if the transport's addressing names one
     */
    default Optional<String> addressedScope() {
        return Optional.empty();
    }

    /**
     * Like {@link #addressedScope()}, for the device id.
     *
     * @return the device id named by the address, if the transport's addressing names one
     */
    default Optional<String> addressedDevice() {
        return Optional.empty();
    }

    /**
     * Whether every server node on this transport receives this connection's messages: the device topics of an MQTT
     * broker, to which each node's bridge subscribes. The engine then takes a session another node opens for the same
     * device over the same transport for the same device seen twice, not for a second device, and lets both serve it
     * (replies are idempotent: a second ACK or LIVE is ignored by the device), where it otherwise closes the older of
     * two live sessions with {@code SESSION_REPLACED}. Two live devices with one id on such a transport share its
     * address, and the broker keeps one of them (one client id); false for socket transports (the default).
     *
     * @return true when every node sees this connection
     */
    default boolean seenByEveryNode() {
        return false;
    }

    /**
     * The largest frame this connection takes, in encoded bytes: what the engine announces in WELCOME
     * {@code maxBytes}. 0 when the transport does not say (the engine's {@code server.max-message-bytes} is announced).
     *
     * @return bytes, or 0
     */
    default int maxFrameBytes() {
        return 0;
    }

    /**
     * The largest message this connection rebuilds from fragments (docs/protocol.md, "Fragments"): what the engine
     * announces in WELCOME {@code maxAssembled}. 0 when the transport takes no fragments.
     *
     * @return bytes, or 0
     */
    default int maxAssembledBytes() {
        return 0;
    }

    /**
     * The bytes queued for the device and not yet handed to the network (a socket's write queue, the broker
     * publishes not yet acknowledged), as the transport's outbound bound counts them. The engine sums them over a
     * scope's connections to bound what one scope holds ({@code server.max-queued-bytes-per-scope}). Cheap: the
     * engine asks on every broadcast.
     *
     * @return bytes, at least 0; 0 when the transport cannot tell (the default)
     */
    default long queuedBytes() {
        return 0;
    }

    /**
     * Queues a message for the device.
     *
     * @param message the message; not null
     * @return false when the outbound queue's byte budget was spent (the message was dropped) or the connection is
     *         closed
     */
    boolean send(Message message);

    /**
     * Closes the connection, first sending an ERROR with {@code code} and {@code reason} when code is not null.
     * Idempotent.
     *
     * @param code the error to send first; null to close without one
     * @param reason the human-readable reason; may be null
     */
    void close(@Nullable ErrorCode code, @Nullable String reason);

    /**
     * Whether the connection is open.
     *
     * @return false once it was closed by either side
     */
    boolean isOpen();
}
