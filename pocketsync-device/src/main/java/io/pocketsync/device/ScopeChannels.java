package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Scoped;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device connection carrying several scopes (docs/protocol.md 3.9): each scope's {@link SyncLoop} sees a
 * {@link ClientTransport} of its own ({@link #channel}) whose messages are tagged with its scope ({@link Scoped}; a
 * HELLO names its scope), and gets the messages the server tagged with it. An untagged message belongs to the scope
 * whose HELLO came first on the connection (the server's first session), except {@code ERROR CATCH_UP_REQUIRED},
 * which concerns every scope. Connection events go to every scope. The real transport starts once every scope's loop
 * has started, and closes when the last one closes; one scope's refusal does not pause the connection (its own
 * handshake holds its HELLO), so the other scopes go on. Once every scope holds its HELLO, the connection pauses until
 * the first hold ends: open and silent, the server would close it after its handshake timeout, again and again.
 *
 * <p>Thread-safe: the transport calls in on its I/O thread; loops send from the engine thread.
 */
final class ScopeChannels implements ClientTransport.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ScopeChannels.class);

    private final ClientTransport transport;
    private final Endpoint endpoint;
    private final Map<String, Channel> channels = new LinkedHashMap<>();
    /** The scope whose HELLO the current connection carried first: the server's untagged session. */
    private volatile @Nullable String firstSaid;
    private int started;
    private int closed;
    /** Each scope's refusal hold: no HELLO before this {@link System#nanoTime()}. */
    private final Map<String, Long> heldUntil = new LinkedHashMap<>();

    /**
     * @param transport the one connection
     * @param endpoint the server, the device and every scope, the first one's first
     */
    ScopeChannels(ClientTransport transport, Endpoint endpoint) {
        this.transport = requireNonNull(transport, "transport is null");
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
        for (String scope : endpoint.scopes()) {
            channels.put(scope, new Channel(scope));
        }
    }

    /** The transport the loop of {@code scope} uses. */
    ClientTransport channel(String scope) {
        return requireNonNull(channels.get(scope), () -> "no channel of scope " + scope);
    }

    @Override
    public void onConnected() {
        firstSaid = null;
        channels.values().forEach(channel -> channel.listener().onConnected());
    }

    /**
     * Every scope loses its session. A close whose code refuses (not retryable: {@code AUTH_FAILED},
     * {@code SCOPE_FORBIDDEN}, ...) is the server refusing the connection's first HELLO while no other session lived on
     * it yet; it is that scope's refusal only. The other scopes, whose HELLOs may have been on their way, see a plain
     * {@code TRANSPORT_CLOSED}: taken as their own refusal, a right token would wait out a wrong one's backoff and
     * report its error.
     */
    @Override
    public void onDisconnected(ErrorCode code, String reason) {
        String refused = code.retryable() ? null : firstSaid;
        channels.forEach((scope, channel) -> {
            if (refused == null || refused.equals(scope)) {
                channel.listener().onDisconnected(code, reason);
            }
            else {
                channel.listener().onDisconnected(ErrorCode.TRANSPORT_CLOSED,
                        "the connection closed after the server refused scope " + refused + " (" + code + ")");
            }
        });
    }

    @Override
    public void onMessage(Message message) {
        if (message instanceof Scoped scoped) {
            Channel channel = channels.get(scoped.scope());
            if (channel == null) {
                LOG.warn("{} for scope {}, which this device does not sync; ignored", scoped.type(), scoped.scope());
                return;
            }
            channel.listener().onMessage(scoped.message());
        }
        else if (message instanceof ErrorMessage error && error.code() == ErrorCode.CATCH_UP_REQUIRED) {
            channels.values().forEach(channel -> channel.listener().onMessage(message));
        }
        else {
            String first = firstSaid;
            channels.get(first != null ? first : endpoint.scope()).listener().onMessage(message);
        }
    }

    private synchronized void channelStarted() {
        if (++started == channels.size()) {
            transport.start(endpoint, this);
        }
    }

    /**
     * {@code scope}'s handshake holds its HELLO for {@code delay}: when every scope holds its own, the connection waits
     * for the first to end.
     */
    private synchronized void held(String scope, Duration delay) {
        long now = System.nanoTime();
        heldUntil.put(scope, now + delay.toNanos());
        long first = Long.MAX_VALUE;
        for (String each : channels.keySet()) {
            Long until = heldUntil.get(each);
            if (until == null || until - now <= 0) {
                return; // a scope may say HELLO now: the connection serves it
            }
            first = Math.min(first, until - now);
        }
        transport.pause(Duration.ofNanos(first));
    }

    private synchronized void channelClosed() {
        if (++closed == channels.size()) {
            transport.close();
        }
    }

    /** One scope's view of the connection. */
    private final class Channel implements ClientTransport {
        private final String scope;
        private volatile @Nullable Listener listener;

        Channel(String scope) {
            this.scope = scope;
        }

        Listener listener() {
            Listener current = listener;
            return current != null ? current : new Listener() {};
        }

        @Override
        public void start(Endpoint ignored, Listener scopeListener) {
            if (listener != null) {
                throw new IllegalStateException("the channel of scope " + scope + " is started already");
            }
            listener = requireNonNull(scopeListener, "listener is null");
            channelStarted();
        }

        @Override
        public boolean send(Message message) {
            if (message instanceof Hello) {
                synchronized (ScopeChannels.this) {
                    if (firstSaid == null) {
                        firstSaid = scope;
                    }
                }
            }
            return transport.send(Scoped.tag(scope, message));
        }

        @Override
        public int maxAssembledBytes() {
            return transport.maxAssembledBytes();
        }

        @Override
        public boolean isConnected() {
            return transport.isConnected();
        }

        @Override
        public void reconnect() {
            transport.reconnect();
        }

        @Override
        public void pause(Duration delay) {
            // this scope's handshake holds its own HELLO; the connection serves the other scopes meanwhile
            held(scope, delay);
        }

        @Override
        public void close() {
            channelClosed();
        }
    }

    /** The scopes, in the order of the endpoint. */
    List<String> scopes() {
        return List.copyOf(channels.keySet());
    }
}
