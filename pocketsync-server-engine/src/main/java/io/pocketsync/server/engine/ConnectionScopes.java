package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Scoped;
import io.pocketsync.api.transport.Connection;
import io.pocketsync.api.transport.ConnectionListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions one device connection carries: one per scope (protocol 3, docs/protocol.md 3.9). The connection starts
 * with one session, which takes its first message whatever it is, so a version 1 or 2 device is served exactly as
 * before. A version 3 {@code HELLO} for a scope the connection does not hold yet opens another session on it, each a
 * {@link Session} of its own (authentication, pushes, broadcasts, catch-up, checksums, read-only grants, replacement
 * all per scope), seeing the connection through a {@link ScopeView} that tags its messages with its scope. Later
 * messages go to the session their {@code scope} names; an untagged one goes to the first session, whose own messages
 * are untagged too.
 *
 * <p>Thread-safe: the transport delivers messages one at a time; views end sessions from the sessions' executors.
 */
final class ConnectionScopes implements ConnectionListener {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionScopes.class);
    /** The most sessions one connection holds at once, so HELLOs cannot pile sessions up on a connection. */
    static final int MAX_SCOPES = 64;

    private final Connection connection;
    private final Function<ScopeView, Session> sessions;
    private final Runnable closed;
    private final Session first;
    private final ScopeView firstView;
    /** The sessions opened by a version 3 HELLO, by scope; the first session joins once its HELLO is version 3. */
    private final Map<String, Session> byScope = new ConcurrentHashMap<>();
    private final Map<ScopeView, Session> live = new ConcurrentHashMap<>();
    private volatile boolean greeted;
    private final AtomicBoolean over = new AtomicBoolean();

    /**
     * @param connection the device connection
     * @param sessions opens a session on a view of the connection (registered, under the handshake deadline)
     * @param closed runs once when the connection closes (after its sessions closed)
     */
    ConnectionScopes(Connection connection, Function<ScopeView, Session> sessions, Runnable closed) {
        this.connection = requireNonNull(connection, "connection is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.closed = requireNonNull(closed, "closed is null");
        this.firstView = new ScopeView(connection, this, null, false);
        this.first = sessions.apply(firstView);
        live.put(firstView, first);
    }

    /** The session the connection started with. */
    Session first() {
        return first;
    }

    @Override
    public void onMessage(Message message) {
        if (message instanceof Hello hello) {
            hello(hello);
        }
        else if (message instanceof Scoped scoped) {
            Session target = byScope.get(scoped.scope());
            if (target != null) {
                target.onMessage(scoped.message());
            }
            else if (!greeted) {
                first.onMessage(scoped.message()); // nothing said yet: the first session asks for a HELLO and closes
            }
            else {
                // a scope this connection holds no session of (never said, or ended): the others go on
                connection.send(new Scoped(scoped.scope(), new ErrorMessage(ProtocolVersion.CURRENT, ErrorCode.HELLO_REQUIRED,
                        "no session of this scope on the connection; send HELLO for it first", null)));
            }
        }
        else {
            first.onMessage(message);
        }
    }

    private void hello(Hello hello) {
        boolean scoped = hello.protocolVersion() >= ProtocolVersion.SCOPES;
        Session held = scoped ? byScope.get(hello.scope()) : null;
        if (held != null) {
            held.onMessage(hello); // the same scope again: its session's rules (a repeat, or a new session over MQTT)
            return;
        }
        if (!greeted || !scoped) {
            greeted = true;
            if (scoped && firstView.scope() == null) {
                firstView.named(hello.scope());
                byScope.put(hello.scope(), first);
            }
            first.onMessage(hello);
            return;
        }
        if (!connection.isOpen()) {
            return;
        }
        if (live.size() >= MAX_SCOPES) {
            connection.send(new Scoped(hello.scope(), new ErrorMessage(ProtocolVersion.CURRENT, ErrorCode.INVALID_FIELD,
                    "a connection holds at most " + MAX_SCOPES + " scopes", null)));
            return;
        }
        ScopeView view = new ScopeView(connection, this, hello.scope(), true);
        Session session = sessions.apply(view);
        live.put(view, session);
        if (byScope.putIfAbsent(hello.scope(), session) != null) {
            view.close(null, null); // a racing HELLO of the same scope took the place first
            return;
        }
        LOG.debug("connection {} opens session {} for scope {}", connection.id(), session.id(), HandshakeHandler.printable(hello.scope()));
        session.onMessage(hello);
    }

    /** Whether another session than {@code view}'s still lives on the connection. */
    boolean othersLive(ScopeView view) {
        return live.keySet().stream().anyMatch(other -> other != view);
    }

    /** {@code view}'s session ended while others live on: the connection stays, without it. */
    void ended(ScopeView view) {
        Session session = live.remove(view);
        if (session != null) {
            byScope.remove(view.scope(), session);
            session.onClose();
        }
    }

    @Override
    public void onClose() {
        if (!over.compareAndSet(false, true)) {
            return; // told twice (a transport's close racing its error path): sessions and the count end once
        }
        for (Session session : List.copyOf(live.values())) {
            session.onClose();
        }
        live.clear();
        byScope.clear();
        closed.run();
    }
}
