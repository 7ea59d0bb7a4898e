package io.pocketsync.api.transport;

import io.pocketsync.api.Health;
import java.net.URI;
import java.util.Optional;

/**
 * The server side of a transport: accepts device connections and hands each to the engine.
 *
 * <p>Lifecycle: {@link #start} once (binds, subscribes); {@link #close} closes every connection and
 * releases resources. Decoding, maximum message size and per-connection back-pressure are the
 * transport's job: a malformed or oversized message gets an ERROR and closes only its connection.
 *
 * <p>Thread-safe.
 */
public interface ServerTransport extends AutoCloseable {
    /**
     * Starts accepting connections.
     *
     * @param acceptor called for each new connection; not null
     * @throws io.pocketsync.api.PocketSyncException with {@code TRANSPORT_CLOSED} when it cannot bind or connect
     */
    void start(Acceptor acceptor);

    /**
     * The number of open device connections.
     *
     * @return the count at the time of the call
     */
    int connectionCount();

    /**
     * Where devices reach this transport, for logs and for tools that hand the address to devices: the bound
     * {@code ws://} URL of a WebSocket server (with the real port when port 0 was asked), the broker of an MQTT
     * bridge. Never carries credentials. Empty before {@link #start} and for transports without one.
     *
     * @return the address, or empty
     */
    default Optional<URI> address() {
        return Optional.empty();
    }

    /**
     * Whether the transport serves right now ({@code /health/ready}): its listener accepts connections, or its
     * broker connection is up. The default, always up, suits a transport that cannot lose its listener.
     *
     * @return the transport's health; never null
     */
    default Health health() {
        return Health.ok();
    }

    /** Closes every connection and stops accepting; idempotent. */
    @Override
    void close();

    /** Called for each new connection; returns the listener for its messages. */
    @FunctionalInterface
    interface Acceptor {
        /**
         * A device connected.
         *
         * @param connection the new connection
         * @return the listener for its messages and its close; not null
         */
        ConnectionListener onOpen(Connection connection);
    }
}
