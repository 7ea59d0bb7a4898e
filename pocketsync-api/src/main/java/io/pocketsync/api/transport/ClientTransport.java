package io.pocketsync.api.transport;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.Message;
import java.time.Duration;

/**
 * The device side of a transport: keeps one connection to the server up and carries protocol
 * messages over it, in order.
 *
 * <p>Lifecycle: {@link #start} once; the transport connects, and whenever the connection drops it
 * reconnects with exponential backoff and jitter (see {@link ReconnectPolicy}) until {@link #close}.
 * After every (re)connect it calls {@link Listener#onConnected()}, and the engine sends HELLO.
 *
 * <p>Thread safety: {@link #send} may be called from any thread. Listener methods are called on a
 * transport I/O thread, one at a time and in order; a listener must not block (the device engine
 * hands work to its own executor).
 */
public interface ClientTransport extends AutoCloseable {
    /**
     * Starts connecting to {@code endpoint}. Returns at once; connection state arrives through the listener.
     *
     * @param endpoint the server URI, scope and device id
     * @param listener receives connection events and messages; not null
     * @throws IllegalStateException when already started
     */
    void start(Endpoint endpoint, Listener listener);

    /**
     * Sends a message on the current connection.
     *
     * @param message the message; not null
     * @return true when the message was handed to the connection; false when not connected (nothing sent)
     * @throws io.pocketsync.api.PocketSyncException with {@code MESSAGE_TOO_LARGE} when the encoded message
     *         exceeds the transport's maximum
     */
    boolean send(Message message);

    /**
     * The largest message this transport rebuilds from fragments (docs/protocol.md, "Fragments"): what the engine
     * announces in HELLO {@code maxAssembled}. 0 when it takes no fragments; the server then sends every message whole.
     *
     * @return bytes, or 0
     */
    default int maxAssembledBytes() {
        return 0;
    }

    /**
     * Whether a connection is currently open.
     *
     * @return true between {@link Listener#onConnected()} and the next disconnect
     */
    boolean isConnected();

    /** Closes the current connection (if any) and connects again after the backoff delay. */
    void reconnect();

    /**
     * The server refused this device for a reason that retrying at once cannot fix (a wrong token, a revoked device, an
     * unsupported protocol version): the engine says HELLO again only after {@code delay}, and the transport should make
     * no new connection attempt before then. A transport whose connection the server closes on a refusal (a socket)
     * closes the current connection, if any, and waits; one whose connection outlives the refusal (a broker session)
     * may keep it. Whatever it does, the engine holds its HELLO until the delay has passed.
     *
     * <p>Default: nothing.
     *
     * @param delay how long to wait before the next attempt; not negative
     */
    default void pause(Duration delay) {}

    /** Stops reconnecting and closes the connection; idempotent. */
    @Override
    void close();

    /** Connection events. Default methods do nothing. */
    interface Listener {
        /** A connection is open; the engine sends HELLO next. */
        default void onConnected() {}

        /**
         * A message arrived.
         *
         * @param message the decoded message
         */
        default void onMessage(Message message) {}

        /**
         * The connection closed or failed to open; the transport will retry unless closed.
         *
         * @param code why, e.g. {@code TRANSPORT_CLOSED}
         * @param reason a human-readable reason
         */
        default void onDisconnected(ErrorCode code, String reason) {}
    }
}
