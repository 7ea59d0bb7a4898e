package io.pocketsync.testkit.transport;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The device side of an {@link InMemoryNetwork}. Thread-safe. */
public final class InMemoryClientTransport implements ClientTransport {
    private static final System.Logger LOG = System.getLogger(InMemoryClientTransport.class.getName());

    private final InMemoryNetwork network;
    private ScheduledExecutorService down;
    private ExecutorService up;
    private volatile Endpoint endpoint;
    private volatile Listener listener;
    private volatile InMemoryConnection current;
    private volatile boolean closed;
    private boolean connectScheduled;
    private int attempts;

    InMemoryClientTransport(InMemoryNetwork network) {
        this.network = network;
    }

    @Override
    public void start(Endpoint endpoint, Listener listener) {
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(listener, "listener is null");
        synchronized (this) {
            if (this.endpoint != null || closed) {
                throw new IllegalStateException("already started or closed");
            }
            this.endpoint = endpoint;
            this.listener = listener;
            String device = endpoint.deviceId();
            down = Executors.newSingleThreadScheduledExecutor(daemon("mem-down-" + device));
            up = Executors.newSingleThreadExecutor(daemon("mem-up-" + device));
        }
        scheduleConnect(0);
    }

    @Override
    public boolean send(Message message) {
        requireNonNull(message, "message is null");
        InMemoryConnection connection = current;
        if (connection == null || !connection.isOpen()) {
            return false;
        }
        return runUp(() -> connection.deliverUp(message));
    }

    @Override
    public boolean isConnected() {
        InMemoryConnection connection = current;
        return connection != null && connection.isOpen();
    }

    @Override
    public void reconnect() {
        InMemoryConnection connection = current;
        if (connection != null) {
            connection.cut(ErrorCode.TRANSPORT_CLOSED, "reconnect requested", false, null);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        InMemoryConnection connection = current;
        if (connection != null) {
            connection.cut(ErrorCode.TRANSPORT_CLOSED, "client closed", false, null);
        }
        network.clientClosed(this);
        if (down != null) {
            // Queued events (the last messages, onDisconnected) still run; then the threads end.
            down.shutdown();
            up.shutdown();
        }
    }

    /** The device id of the endpoint, or "?" before start. */
    String deviceId() {
        Endpoint started = endpoint;
        return started == null ? "?" : started.deviceId();
    }

    void deliver(Message message) {
        if (!(message instanceof ErrorMessage)) {
            synchronized (this) {
                attempts = 0;
            }
        }
        try {
            listener.onMessage(message);
        }
        catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "client listener failed for " + deviceId(), e);
        }
    }

    void connectionEnded(InMemoryConnection connection, ErrorCode code, String reason, ErrorMessage lastMessage) {
        synchronized (this) {
            if (current == connection) {
                current = null;
            }
        }
        if (lastMessage != null) {
            runDown(() -> deliver(lastMessage));
        }
        runDown(() -> {
            try {
                listener.onDisconnected(code, reason);
            }
            catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "client listener failed for " + deviceId(), e);
            }
            int attempt;
            synchronized (this) {
                attempt = attempts++;
            }
            scheduleConnect(network.reconnectPolicy().delay(attempt).toMillis());
        });
    }

    /** Called by the network when it may now be possible to connect. */
    void wake() {
        if (endpoint != null) {
            scheduleConnect(0);
        }
    }

    private void scheduleConnect(long delayMillis) {
        synchronized (this) {
            if (closed || connectScheduled || current != null) {
                return;
            }
            connectScheduled = true;
        }
        try {
            down.schedule(this::tryConnect, delayMillis, TimeUnit.MILLISECONDS);
        }
        catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    // Runs on the down thread, so onConnected is ordered with the other listener events.
    private void tryConnect() {
        InMemoryConnection connection;
        synchronized (this) {
            connectScheduled = false;
            if (closed || current != null) {
                return;
            }
            connection = network.open(this, endpoint.deviceId());
            if (connection == null) {
                // Offline or no server: wait until the network wakes us.
                return;
            }
            current = connection;
        }
        runUp(connection::accept);
        try {
            listener.onConnected();
        }
        catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "client listener failed for " + deviceId(), e);
        }
    }

    boolean runDown(Runnable task) {
        return run(down, task);
    }

    boolean runUp(Runnable task) {
        return run(up, task);
    }

    private static boolean run(ExecutorService executor, Runnable task) {
        try {
            executor.execute(task);
            return true;
        }
        catch (RejectedExecutionException e) {
            return false;
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public String toString() {
        return "InMemoryClientTransport[" + deviceId() + (isConnected() ? ", connected" : "") + "]";
    }
}
