package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Scoped;
import io.pocketsync.api.transport.Connection;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What one {@link Session} sees of a device connection that may carry the sessions of several scopes (protocol 3,
 * docs/protocol.md 3.9): the connection itself, whose messages it tags with its scope unless it is the connection's
 * first session (an untagged message belongs to the first session, both ways), and whose close ends only this session
 * while others live on it. The first session sees the connection unchanged, so versions 1 and 2, and a version 3
 * device of one scope, are served as before.
 *
 * <p>Thread-safe: the session's executor and the feed thread send through it.
 */
final class ScopeView implements Connection {
    private final Connection connection;
    private final ConnectionScopes scopes;
    private final boolean tagged;
    private volatile @Nullable String scope;
    private volatile boolean closed;

    /**
     * @param scope the view's scope, or null until a version 3 HELLO names it
     * @param tagged whether every message to the device carries the scope (every session but the first)
     */
    ScopeView(Connection connection, ConnectionScopes scopes, @Nullable String scope, boolean tagged) {
        this.connection = requireNonNull(connection, "connection is null");
        this.scopes = requireNonNull(scopes, "scopes is null");
        this.scope = scope;
        this.tagged = tagged;
        if (tagged) {
            requireNonNull(scope, "a tagged view needs its scope");
        }
    }

    /** The first session's version 3 HELLO named its scope: its close may now end it alone. */
    void named(String name) {
        scope = requireNonNull(name, "name is null");
    }

    /** The scope of this view's session as its version 3 HELLO named it, or null. */
    @Nullable String scope() {
        return scope;
    }

    @Override
    public String id() {
        return connection.id();
    }

    @Override
    public String transport() {
        return connection.transport();
    }

    @Override
    public String remoteAddress() {
        return connection.remoteAddress();
    }

    @Override
    public Optional<String> peerAddress() {
        return connection.peerAddress();
    }

    @Override
    public Optional<String> addressedScope() {
        return connection.addressedScope();
    }

    @Override
    public Optional<String> addressedDevice() {
        return connection.addressedDevice();
    }

    @Override
    public boolean seenByEveryNode() {
        return connection.seenByEveryNode();
    }

    @Override
    public int maxFrameBytes() {
        return connection.maxFrameBytes();
    }

    @Override
    public int maxAssembledBytes() {
        return connection.maxAssembledBytes();
    }

    @Override
    public long queuedBytes() {
        return connection.queuedBytes();
    }

    @Override
    public boolean send(Message message) {
        if (closed) {
            return false;
        }
        String tag = scope;
        return connection.send(tagged && tag != null ? Scoped.tag(tag, message) : message);
    }

    /**
     * Ends this view's session. While other sessions live on the connection, the device is told with an ERROR tagged
     * with this scope and the connection stays; the last session closes the connection itself.
     */
    @Override
    public void close(@Nullable ErrorCode code, @Nullable String reason) {
        if (closed) {
            return;
        }
        closed = true;
        String tag = scope;
        if (tag != null && scopes.othersLive(this)) {
            if (code != null) {
                connection.send(new Scoped(tag, new ErrorMessage(ProtocolVersion.CURRENT, code,
                        reason == null ? code.name() : reason, null)));
            }
            scopes.ended(this);
        }
        else {
            connection.close(code, reason);
        }
    }

    @Override
    public boolean isOpen() {
        return !closed && connection.isOpen();
    }

    @Override
    public String toString() {
        String tag = scope;
        return tag == null ? connection.toString() : connection + "@" + tag;
    }
}
