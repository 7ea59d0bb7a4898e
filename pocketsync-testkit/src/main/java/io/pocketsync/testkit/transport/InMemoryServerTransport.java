package io.pocketsync.testkit.transport;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.transport.ServerTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The server side of an {@link InMemoryNetwork}. Thread-safe. */
public final class InMemoryServerTransport implements ServerTransport {
    private final InMemoryNetwork network;
    private final Set<InMemoryConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionIds = new AtomicLong();
    private volatile Acceptor acceptor;
    private volatile boolean closed;

    InMemoryServerTransport(InMemoryNetwork network) {
        this.network = network;
    }

    @Override
    public void start(Acceptor acceptor) {
        requireNonNull(acceptor, "acceptor is null");
        synchronized (this) {
            if (this.acceptor != null || closed) {
                throw new IllegalStateException("already started or closed");
            }
            this.acceptor = acceptor;
        }
        try {
            network.serverStarted(this);
        }
        catch (IllegalStateException e) {
            throw new PocketSyncException(ErrorCode.TRANSPORT_CLOSED, e.getMessage(), e);
        }
        network.wakeWaitingClients();
    }

    @Override
    public int connectionCount() {
        return connections.size();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        network.serverClosed(this);
        for (InMemoryConnection connection : new ArrayList<>(connections)) {
            connection.cut(ErrorCode.SHUTTING_DOWN, "server closed", false, null);
        }
    }

    InMemoryConnection register(InMemoryClientTransport client) {
        InMemoryConnection connection = new InMemoryConnection(this, client,
                "mem-" + client.deviceId() + "-" + connectionIds.incrementAndGet(), network.queueCapacity());
        connections.add(connection);
        return connection;
    }

    Acceptor acceptor() {
        return acceptor;
    }

    void unregister(InMemoryConnection connection) {
        connections.remove(connection);
    }

    List<InMemoryConnection> connectionsOf(String deviceId) {
        List<InMemoryConnection> matching = new ArrayList<>();
        for (InMemoryConnection connection : connections) {
            if (connection.isOpen() && (deviceId == null || deviceId.equals(connection.deviceId()))) {
                matching.add(connection);
            }
        }
        return matching;
    }
}
