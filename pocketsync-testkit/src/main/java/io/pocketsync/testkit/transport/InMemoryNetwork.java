package io.pocketsync.testkit.transport;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.transport.ReconnectPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An in-JVM network for engine tests: {@link #clientTransport()} and {@link #serverTransport()} give a
 * {@link io.pocketsync.api.transport.ClientTransport} and a {@link io.pocketsync.api.transport.ServerTransport}
 * that pass {@link io.pocketsync.api.protocol.Message} objects to each other without encoding.
 *
 * <p>Delivery: per client, server-to-device messages and client listener events run in order on one
 * thread ({@code mem-down-<device>}), device-to-server messages and server listener events on another
 * ({@code mem-up-<device>}); never on the caller's thread. Each connection's outbound (server-to-device)
 * queue is bounded as the {@link io.pocketsync.api.transport.Connection} Javadoc says: when full, messages
 * are dropped, {@code send} returns false, and an {@code ERROR CATCH_UP_REQUIRED} follows as soon as there
 * is room. A test makes a device slow by blocking in its listener.
 *
 * <p>Faults: {@link #disconnect(String)} cuts a device's connection (in-flight messages are lost, like a
 * dropped socket) and the client reconnects after the backoff; {@link #setOnline(String, boolean)} keeps one
 * device offline, {@link #setOnline(boolean)} the whole network. While offline or while no server is
 * started, clients wait and connect as soon as they can. A closed server transport may be followed by a
 * new one on the same network (a server restart).
 *
 * <p>Thread-safe. {@link #close()} closes every transport created by this network.
 */
public final class InMemoryNetwork implements AutoCloseable {
    /** Outbound queue capacity per connection unless given. */
    public static final int DEFAULT_QUEUE_CAPACITY = 1000;
    /** Reconnect backoff unless given: short, so tests run fast, but never a busy loop. */
    public static final ReconnectPolicy DEFAULT_RECONNECT = new ReconnectPolicy(Duration.ofMillis(5), Duration.ofMillis(200));

    private final int queueCapacity;
    private final ReconnectPolicy reconnectPolicy;
    private final List<InMemoryClientTransport> clients = new ArrayList<>();
    private final Set<String> offlineDevices = new HashSet<>();
    private boolean online = true;
    private InMemoryServerTransport server;

    /** A network with the default queue capacity and reconnect policy. */
    public InMemoryNetwork() {
        this(DEFAULT_QUEUE_CAPACITY, DEFAULT_RECONNECT);
    }

    /**
     * A network with the default reconnect policy.
     *
     * @param queueCapacity messages each connection may queue; positive
     */
    public InMemoryNetwork(int queueCapacity) {
        this(queueCapacity, DEFAULT_RECONNECT);
    }

    /**
     * A network.
     *
     * @param queueCapacity messages each connection may queue; positive
     * @param reconnectPolicy how clients back off between reconnects
     */
    public InMemoryNetwork(int queueCapacity, ReconnectPolicy reconnectPolicy) {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
        }
        this.queueCapacity = queueCapacity;
        this.reconnectPolicy = requireNonNull(reconnectPolicy, "reconnectPolicy is null");
    }

    /**
     * A new, not yet started server transport. Only one server may be started at a time.
     *
     * @return the server transport
     */
    public InMemoryServerTransport serverTransport() {
        return new InMemoryServerTransport(this);
    }

    /**
     * A new, not yet started client transport; its device id comes from the endpoint given to {@code start}.
     *
     * @return the client transport
     */
    public synchronized InMemoryClientTransport clientTransport() {
        InMemoryClientTransport client = new InMemoryClientTransport(this);
        clients.add(client);
        return client;
    }

    /**
     * Cuts the current connection(s) of {@code deviceId}; the device reconnects after its backoff.
     *
     * @param deviceId the device id
     */
    public void disconnect(String deviceId) {
        for (InMemoryConnection connection : connectionsOf(deviceId)) {
            connection.cut(ErrorCode.TRANSPORT_CLOSED, "network cut", true, null);
        }
    }

    /**
     * Takes the whole network down (cutting every connection) or brings it back up.
     *
     * @param online false to take it down, true to bring it back
     */
    public void setOnline(boolean online) {
        synchronized (this) {
            this.online = online;
        }
        if (online) {
            wakeWaitingClients();
        }
        else {
            for (InMemoryConnection connection : connectionsOf(null)) {
                connection.cut(ErrorCode.TRANSPORT_CLOSED, "network offline", true, null);
            }
        }
    }

    /**
     * Takes one device offline (cutting its connection) or brings it back.
     *
     * @param deviceId the device id
     * @param online false to take it offline, true to bring it back
     */
    public void setOnline(String deviceId, boolean online) {
        requireNonNull(deviceId, "deviceId is null");
        synchronized (this) {
            if (online) {
                offlineDevices.remove(deviceId);
            }
            else {
                offlineDevices.add(deviceId);
            }
        }
        if (online) {
            wakeWaitingClients();
        }
        else {
            disconnect(deviceId);
        }
    }

    /**
     * Whether the network as a whole is up.
     *
     * @return false after {@code setOnline(false)}
     */
    public synchronized boolean isOnline() {
        return online;
    }

    /**
     * Whether {@code deviceId} has an open connection.
     *
     * @param deviceId the device id
     * @return whether it is connected
     */
    public boolean isConnected(String deviceId) {
        return !connectionsOf(deviceId).isEmpty();
    }

    /**
     * The number of open connections.
     *
     * @return the count
     */
    public int connectionCount() {
        return connectionsOf(null).size();
    }

    /** Closes every client and the server. */
    @Override
    public void close() {
        List<InMemoryClientTransport> all;
        InMemoryServerTransport running;
        synchronized (this) {
            all = new ArrayList<>(clients);
            running = server;
        }
        all.forEach(InMemoryClientTransport::close);
        if (running != null) {
            running.close();
        }
    }

    int queueCapacity() {
        return queueCapacity;
    }

    ReconnectPolicy reconnectPolicy() {
        return reconnectPolicy;
    }

    synchronized void serverStarted(InMemoryServerTransport started) {
        if (server != null) {
            throw new IllegalStateException("another in-memory server transport is already running on this network");
        }
        server = started;
    }

    synchronized void serverClosed(InMemoryServerTransport closed) {
        if (server == closed) {
            server = null;
        }
    }

    synchronized void clientClosed(InMemoryClientTransport client) {
        clients.remove(client);
    }

    /** Opens a connection for {@code client} when it can reach a server; null otherwise. Caller holds no lock. */
    synchronized InMemoryConnection open(InMemoryClientTransport client, String deviceId) {
        if (!online || offlineDevices.contains(deviceId) || server == null) {
            return null;
        }
        return server.register(client);
    }

    void wakeWaitingClients() {
        List<InMemoryClientTransport> all;
        synchronized (this) {
            all = new ArrayList<>(clients);
        }
        all.forEach(InMemoryClientTransport::wake);
    }

    private List<InMemoryConnection> connectionsOf(String deviceId) {
        InMemoryServerTransport running;
        synchronized (this) {
            running = server;
        }
        return running == null ? List.of() : running.connectionsOf(deviceId);
    }
}
