package io.pocketsync.transport.websocket;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WebSocketServerFactory;
import org.java_websocket.drafts.Draft;
import org.java_websocket.framing.CloseFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sockets the server accepted that have not finished the WebSocket upgrade. Java-WebSocket keeps such a socket
 * open for as long as its peer stays silent, and the engine never hears of it (it sees connections only once they are
 * upgraded), so this transport bounds them itself: at most {@code maxPerAddress} per IP address (more are closed as they
 * are accepted), and each is closed when it has not upgraded within {@code timeout}. The engine's own handshake limits
 * take over from the upgrade on, until WELCOME.
 *
 * <p>It sits in Java-WebSocket's accept path as a {@link WebSocketServerFactory} wrapped around the real one, which
 * is the one place that sees every accepted channel. Thread-safe: {@link #wrapChannel} runs on the selector thread,
 * {@link #upgraded} on a worker, {@link #sweep} on the transport's sweeper.
 */
final class PendingSockets implements WebSocketServerFactory {
    private static final Logger log = LoggerFactory.getLogger(PendingSockets.class);

    private final WebSocketServerFactory delegate;
    private final Duration timeout;
    private final int maxPerAddress;
    private final Map<WebSocket, Pending> pending = new HashMap<>();
    private final Map<String, Integer> perAddress = new HashMap<>();
    private int refused;
    private String lastRefused;

    PendingSockets(WebSocketServerFactory delegate, Duration timeout, int maxPerAddress) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.maxPerAddress = maxPerAddress;
    }

    /** The IP address of {@code address} as text, without port; empty when it is not an IP socket address. */
    static Optional<String> hostOf(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return Optional.of(inet.getAddress().getHostAddress());
        }
        return Optional.empty();
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter adapter, Draft draft) {
        return delegate.createWebSocket(adapter, draft);
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter adapter, List<Draft> drafts) {
        return delegate.createWebSocket(adapter, drafts);
    }

    /** Counts the accepted channel against its address; throwing makes Java-WebSocket close it at once. */
    @Override
    public ByteChannel wrapChannel(SocketChannel channel, SelectionKey key) throws IOException {
        String host = hostOf(channel.getRemoteAddress()).orElse("unknown");
        // Java-WebSocket registers the channel with its socket as attachment before it wraps the channel
        WebSocket socket = (WebSocket) key.attachment();
        synchronized (this) {
            int count = perAddress.getOrDefault(host, 0);
            if (count >= maxPerAddress) {
                refused++;
                lastRefused = host;
                throw new IOException("too many sockets from " + host + " waiting for the WebSocket upgrade");
            }
            perAddress.put(host, count + 1);
            pending.put(socket, new Pending(host, System.nanoTime()));
        }
        try {
            return delegate.wrapChannel(channel, key);
        }
        catch (IOException | RuntimeException e) {
            upgraded(socket);
            throw e;
        }
    }

    /** The socket finished the WebSocket upgrade (or closed): it no longer counts. */
    synchronized void upgraded(WebSocket socket) {
        Pending gone = pending.remove(socket);
        if (gone != null) {
            release(gone.host);
        }
    }

    /** Sockets accepted and not upgraded; for tests and logs. */
    synchronized int count() {
        return pending.size();
    }

    /** Forgets closed sockets and closes those that did not upgrade in time. Run every second or so. */
    void sweep() {
        long now = System.nanoTime();
        int expired = 0;
        String lastExpired = null;
        List<WebSocket> toClose = new java.util.ArrayList<>();
        int refusedNow;
        String refusedFrom;
        synchronized (this) {
            for (Iterator<Map.Entry<WebSocket, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<WebSocket, Pending> entry = it.next();
                boolean closed = entry.getKey().isClosed();
                boolean late = now - entry.getValue().acceptedNanos > timeout.toNanos();
                if (closed || late) {
                    it.remove();
                    release(entry.getValue().host);
                    if (!closed) {
                        toClose.add(entry.getKey());
                        expired++;
                        lastExpired = entry.getValue().host;
                    }
                }
            }
            refusedNow = refused;
            refusedFrom = lastRefused;
            refused = 0;
        }
        for (WebSocket socket : toClose) {
            // closeConnection closes the channel at once; Java-WebSocket's own lost-connection timer calls it this way
            socket.closeConnection(CloseFrame.NEVER_CONNECTED, "no WebSocket upgrade within " + timeout);
        }
        // one line a sweep at most, however many sockets misbehave
        if (expired > 0) {
            log.info("closed {} socket(s) that did not finish the WebSocket upgrade within {} (the last from {})", expired,
                    timeout, lastExpired);
        }
        if (refusedNow > 0) {
            log.info("refused {} socket(s) over max-pending-handshakes-per-address={} (the last from {})", refusedNow,
                    maxPerAddress, refusedFrom);
        }
    }

    private void release(String host) {
        perAddress.computeIfPresent(host, (h, count) -> count <= 1 ? null : count - 1);
    }

    @Override
    public void close() {
        delegate.close();
    }

    private record Pending(String host, long acceptedNanos) {}
}
