package io.pocketsync.testkit.transport;

import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.transport.Connection;
import io.pocketsync.api.transport.ConnectionListener;
import io.pocketsync.api.transport.ServerTransport;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A {@link ServerTransport.Acceptor} that records each connection and its messages, and optionally
 * reacts to messages (echo, refuse) through a handler. Thread-safe.
 */
public final class RecordingAcceptor implements ServerTransport.Acceptor {
    private final List<Recorded> connections = new CopyOnWriteArrayList<>();
    private volatile BiConsumer<Connection, Message> handler = (connection, message) -> {};

    /**
     * Sets what to do with each message after it is recorded (runs on the transport thread).
     *
     * @param newHandler called with the connection and the message
     * @return this
     */
    public RecordingAcceptor onMessage(BiConsumer<Connection, Message> newHandler) {
        this.handler = newHandler;
        return this;
    }

    @Override
    public ConnectionListener onOpen(Connection connection) {
        Recorded recorded = new Recorded(connection);
        connections.add(recorded);
        return recorded;
    }

    /**
     * Every connection accepted, in order.
     *
     * @return a copy
     */
    public List<Recorded> connections() {
        return connections;
    }

    /**
     * The first connection whose messages include a HELLO from {@code deviceId}.
     *
     * @param deviceId the device id
     * @return the connection, or empty
     */
    public Optional<Recorded> byDevice(String deviceId) {
        return connections.stream().filter(c -> c.deviceId().filter(deviceId::equals).isPresent()).findFirst();
    }

    /** One accepted connection and what arrived on it. */
    public final class Recorded implements ConnectionListener {
        private final Connection connection;
        private final List<Message> messages = new CopyOnWriteArrayList<>();
        private final AtomicInteger closes = new AtomicInteger();
        private final AtomicInteger concurrentCalls = new AtomicInteger();
        private final AtomicBoolean overlapSeen = new AtomicBoolean();

        Recorded(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void onMessage(Message message) {
            if (concurrentCalls.incrementAndGet() > 1) {
                overlapSeen.set(true);
            }
            try {
                messages.add(message);
                handler.accept(connection, message);
            }
            finally {
                concurrentCalls.decrementAndGet();
            }
        }

        @Override
        public void onClose() {
            closes.incrementAndGet();
        }

        /**
         * The server side of the connection.
         *
         * @return the connection
         */
        public Connection connection() {
            return connection;
        }

        /**
         * The messages received on it, in order.
         *
         * @return the messages
         */
        public List<Message> messages() {
            return messages;
        }

        /**
         * How many times {@code onClose} was called.
         *
         * @return the count; 1 once closed
         */
        public int closes() {
            return closes.get();
        }

        /**
         * Whether two listener calls ever overlapped (a contract violation).
         *
         * @return true when they did
         */
        public boolean overlapSeen() {
            return overlapSeen.get();
        }

        /**
         * The device id of the first HELLO on this connection, if any.
         *
         * @return the device id, or empty
         */
        public Optional<String> deviceId() {
            return messages.stream().filter(m -> m instanceof io.pocketsync.api.protocol.Hello)
                    .map(m -> ((io.pocketsync.api.protocol.Hello) m).deviceId()).findFirst();
        }
    }
}
