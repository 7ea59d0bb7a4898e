package io.pocketsync.testkit.transport;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.transport.Connection;
import io.pocketsync.api.transport.ConnectionListener;

/**
 * One device connection of an {@link InMemoryNetwork}, as the server sees it, with a bounded outbound
 * queue. Thread-safe.
 */
final class InMemoryConnection implements Connection {
    private static final System.Logger LOG = System.getLogger(InMemoryConnection.class.getName());

    private final InMemoryServerTransport server;
    private final InMemoryClientTransport client;
    private final String id;
    private final int capacity;
    private int pending;
    private boolean overflowed;
    private volatile boolean open = true;
    // Set when the network (not an orderly close) ended the connection: in-flight messages are lost.
    private volatile boolean severed;
    // Only touched on the client's up thread.
    private ConnectionListener listener;

    InMemoryConnection(InMemoryServerTransport server, InMemoryClientTransport client, String id, int capacity) {
        this.server = server;
        this.client = client;
        this.id = id;
        this.capacity = capacity;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String transport() {
        return "in-memory";
    }

    @Override
    public String remoteAddress() {
        return "in-memory:" + client.deviceId();
    }

    String deviceId() {
        return client.deviceId();
    }

    @Override
    public boolean send(Message message) {
        synchronized (this) {
            if (!open) {
                return false;
            }
            if (pending >= capacity) {
                overflowed = true;
                return false;
            }
            pending++;
        }
        client.runDown(() -> deliverDown(message));
        return true;
    }

    @Override
    public void close(ErrorCode code, String reason) {
        ErrorMessage error = code == null ? null
                : new ErrorMessage(ProtocolVersion.CURRENT, code, reason == null ? code.name() : reason, null);
        cut(code == null ? ErrorCode.TRANSPORT_CLOSED : code, reason == null ? "closed by server" : reason, false, error);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Runs on the client's up thread before any message of this connection. */
    void accept() {
        try {
            listener = server.acceptor().onOpen(this);
        }
        catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "acceptor failed for " + id, e);
            cut(ErrorCode.INTERNAL, "acceptor failed", false, null);
        }
    }

    /** Device to server; runs on the client's up thread. */
    void deliverUp(Message message) {
        if (severed || listener == null) {
            return;
        }
        try {
            listener.onMessage(message);
        }
        catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "server listener failed on " + id, e);
        }
    }

    private void deliverDown(Message message) {
        if (!severed) {
            client.deliver(message);
        }
        boolean notify;
        synchronized (this) {
            pending--;
            notify = overflowed && open;
            if (notify) {
                overflowed = false;
                pending++;
            }
        }
        if (notify) {
            ErrorMessage catchUp = new ErrorMessage(ProtocolVersion.CURRENT, ErrorCode.CATCH_UP_REQUIRED,
                    "outbound queue overflowed; messages were dropped", null);
            client.runDown(() -> deliverDown(catchUp));
        }
    }

    /**
     * Ends the connection once: optionally delivers {@code lastMessage} to the device, then tells the device
     * ({@code onDisconnected}) and the server ({@code onClose}), each on its own thread.
     */
    void cut(ErrorCode code, String reason, boolean dropInFlight, ErrorMessage lastMessage) {
        synchronized (this) {
            if (!open) {
                return;
            }
            open = false;
            if (dropInFlight) {
                severed = true;
            }
        }
        server.unregister(this);
        client.connectionEnded(this, code, reason, lastMessage);
        client.runUp(() -> {
            if (listener != null) {
                try {
                    listener.onClose();
                }
                catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "server listener failed on close of " + id, e);
                }
            }
        });
    }
}
