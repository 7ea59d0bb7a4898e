package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.auth.Principal;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Verify;
import io.pocketsync.api.transport.Connection;
import io.pocketsync.api.transport.ConnectionListener;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one device connection: HELLO first, then the granted principal, whose scope every later
 * message is held to, until its grant expires. Messages are handled one at a time on a {@link SerialExecutor}, so transport I/O
 * threads never wait for the store; live broadcasts are sent straight from the feed thread because
 * {@link Connection#send} never blocks.
 *
 * <p>Thread-safe: {@code principal} is written once (on the session's executor) and read by the feed.
 */
final class Session implements ConnectionListener {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);

    private final String id;
    private final Connection connection;
    private final ServerServices services;
    private final SerialExecutor executor;
    private final HandshakeHandler handshake;
    private final IngestPipeline ingest;
    private final CatchUpPlanner catchUp;
    private volatile Principal principal;
    /** The tables the device subscribed to (HELLO {@code tables}); every table until HELLO says otherwise. */
    private volatile TableSubscription tables = TableSubscription.ALL;
    /** The protocol version of the device's HELLO (at most ours): every message to it is written in it. */
    private volatile int version = ProtocolVersion.CURRENT;
    /** This session's claim on its device id (see SessionClaims); null before HELLO completes. */
    private volatile String claim;
    private volatile boolean closed;
    private final SessionActivity activity;
    private final AtomicBoolean seenOffline = new AtomicBoolean();
    private final Object groupLock = new Object();
    /** The bulk pages queued last, whose task has not started: a page right after them joins them. */
    private BulkGroup openGroup;

    Session(String id, Connection connection, ServerServices services, SerialExecutor executor,
            HandshakeHandler handshake, IngestPipeline ingest, CatchUpPlanner catchUp) {
        this.id = requireNonNull(id, "id is null");
        this.connection = requireNonNull(connection, "connection is null");
        this.services = requireNonNull(services, "services is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.handshake = requireNonNull(handshake, "handshake is null");
        this.ingest = requireNonNull(ingest, "ingest is null");
        this.catchUp = requireNonNull(catchUp, "catchUp is null");
        this.activity = new SessionActivity(services.clock().millis());
    }

    String id() {
        return id;
    }

    Connection connection() {
        return connection;
    }

    /** The granted scope, or null before HELLO succeeded. */
    Scope scope() {
        Principal granted = principal;
        return granted == null ? null : granted.scope();
    }

    /** The device id, or null before HELLO succeeded. */
    String deviceId() {
        Principal granted = principal;
        return granted == null ? null : granted.deviceId();
    }

    /** The tables this session subscribed to. */
    TableSubscription tables() {
        return tables;
    }

    /** Whether the session's grant is read-only: every change it pushes is refused with SCOPE_READ_ONLY. */
    boolean readOnly() {
        Principal granted = principal;
        return granted != null && granted.readOnly();
    }

    /** What operators see of this session's progress. */
    SessionActivity activity() {
        return activity;
    }

    @Override
    public void onMessage(Message message) {
        if (closed) {
            return;
        }
        activity.received(services.clock().millis(), message instanceof Push push ? push.changes().size() : -1);
        boolean queued;
        synchronized (groupLock) {
            if (message instanceof Push push && push.bulk()) {
                if (openGroup != null && openGroup.add(push)) {
                    return; // stored with the pages before it, in their task
                }
                BulkGroup group = new BulkGroup(push);
                queued = executor.tryExecute(() -> handleGroup(group));
                openGroup = queued ? group : null;
            }
            else {
                openGroup = null; // a page after this message is handled after it
                queued = executor.tryExecute(() -> handle(message));
            }
        }
        if (!queued) {
            if (message instanceof Push) {
                activity.pushAnswered();
            }
            String ref = message instanceof Push push ? push.batchId() : null;
            sendError(ErrorCode.TIMEOUT, "server busy: too many messages waiting for this session; retry later", ref);
        }
    }

    @Override
    public void onClose() {
        closed = true;
        services.registry().closed(this);
        sightedOffline();
        handshake.closed(this);
        catchUp.forget(this);
        Principal granted = principal;
        if (granted != null) {
            LOG.info("device {} disconnected from scope {} over {} from {} (session {})", granted.deviceId(), granted.scope(),
                    connection.transport(), connection.remoteAddress(), id);
        }
        else {
            LOG.debug("session {} closed before HELLO ({} {})", id, connection.transport(), connection.remoteAddress());
        }
    }

    /**
     * Handles the bulk pages of a group as one store batch, when the session may push; otherwise each page on its own,
     * which refuses it as {@link #handle} refuses any message.
     */
    private void handleGroup(BulkGroup group) {
        List<Push> pushes = group.take();
        Principal granted = principal;
        boolean admitted = !closed && granted != null && !handshake.expired(granted) && addressMatches(granted)
                && pushes.stream().allMatch(push -> ProtocolVersion.isSupported(push.protocolVersion()));
        if (pushes.size() == 1 || !admitted) {
            pushes.forEach(this::handle);
            return;
        }
        try {
            ingest.pushAll(this, pushes);
        }
        finally {
            pushes.forEach(push -> activity.pushAnswered());
        }
    }

    private void handle(Message message) {
        if (closed) {
            return;
        }
        if (!ProtocolVersion.isSupported(message.protocolVersion())) {
            close(ErrorCode.PROTOCOL_VERSION_UNSUPPORTED, "protocol version " + message.protocolVersion()
                    + " is not supported; this server speaks " + ProtocolVersion.MIN_SUPPORTED + " to " + ProtocolVersion.CURRENT);
            services.listener().sessionRefused(connection.transport(), ErrorCode.PROTOCOL_VERSION_UNSUPPORTED);
            return;
        }
        Principal granted = principal;
        if (granted == null) {
            if (message instanceof Hello hello) {
                version = Math.min(hello.protocolVersion(), ProtocolVersion.CURRENT);
                tables = TableSubscription.of(hello.tables());
                activity.position(hello.cursor());
                handshake.hello(this, hello);
            }
            else {
                services.listener().sessionRefused(connection.transport(), ErrorCode.HELLO_REQUIRED);
                close(ErrorCode.HELLO_REQUIRED, "send HELLO first");
            }
            return;
        }
        if (handshake.expired(granted)) {
            tokenExpired(); // the timer may not have run yet: no message is served past the grant
            return;
        }
        if (!addressMatches(granted)) {
            close(ErrorCode.SCOPE_FORBIDDEN, "connection address does not match the session's scope and device");
            return;
        }
        if (message instanceof Push push) {
            try {
                ingest.push(this, push);
            }
            finally {
                activity.pushAnswered();
            }
        }
        else if (message instanceof Pull pull) {
            activity.position(pull.cursor());
            catchUp.pull(this, pull);
        }
        else if (message instanceof Verify verify) {
            ChecksumResponder.answer(services, this, verify);
        }
        else if (message instanceof Ping ping) {
            send(new Pong(ProtocolVersion.CURRENT, ping.nonce()));
        }
        else if (message instanceof Hello hello) {
            if (hello.deviceId().equals(granted.deviceId()) && hello.scope().equals(granted.scope().name())) {
                // the same HELLO said again: the device's deadline passed before the WELCOME reached it (a slow
                // server); the WELCOME answers both, and an ERROR would read as a refusal of the session it has
                LOG.debug("session {}: a repeated HELLO of device {} is answered by the WELCOME already sent", id, hello.deviceId());
            }
            else {
                sendError(ErrorCode.INVALID_FIELD, "the session is already established", null);
            }
        }
        else if (message instanceof ErrorMessage error) {
            LOG.debug("session {}: device reported {}: {}", id, error.code(), error.message());
        }
        else if (!(message instanceof Pong)) {
            sendError(ErrorCode.UNKNOWN_MESSAGE_TYPE, "a device does not send " + message.type(), null);
        }
    }

    private boolean addressMatches(Principal granted) {
        return connection.addressedScope().map(granted.scope().name()::equals).orElse(true)
                && connection.addressedDevice().map(granted.deviceId()::equals).orElse(true);
    }

    /** Called by the handshake once the device is authenticated and welcomed. */
    void established(Principal granted) {
        principal = requireNonNull(granted, "granted is null");
        // one live session per device id: the newest wins, and a clash is never served silently
        for (Session other : services.registry().ofDevice(granted.scope(), granted.deviceId())) {
            if (other != this) {
                LOG.warn("device {} in scope {} connected again while session {} was live: closing the older session"
                        + " (two live devices with one id are usually a copied database file)", granted.deviceId(),
                        granted.scope(), other.id());
                other.close(ErrorCode.SESSION_REPLACED, "another connection now speaks for device " + granted.deviceId());
            }
        }
        services.registry().joined(granted.scope(), this);
        services.sightings().online(this);
        // and across nodes: every node sharing the store hears the claim and closes an older session of this device
        claim = connection.seenByEveryNode()
                ? SessionClaims.shared(services.clock().millis(), services.options().nodeId(), id, connection.transport())
                : SessionClaims.of(services.clock().millis(), services.options().nodeId(), id);
        try {
            services.store().claimSession(granted.scope(), granted.deviceId(), claim);
        }
        catch (RuntimeException e) {
            LOG.warn("session {}: claim on device {} not shared with other nodes: {}", id, granted.deviceId(), e.toString());
        }
    }

    /**
     * Another session for this session's device was established with {@code newer}, on this node or another: this one
     * goes, with {@code SESSION_REPLACED}, if {@code newer} is newer than its own claim. If its own claim is the newer
     * one (the other node's clock is behind), it says its claim again, so that the other node closes its session:
     * a claim made before the other session existed was not compared there.
     *
     * @return true when this session was closed
     */
    boolean replacedBy(String newer) {
        String own = claim;
        if (own == null || own.equals(newer)) {
            return false;
        }
        if (SessionClaims.sameSharedTransport(own, newer)) {
            // every node's bridge got the device's HELLO: this node serves it too (a newer session of it on this node
            // already closed this one, in established)
            return false;
        }
        if (!SessionClaims.newer(newer, own)) {
            Principal granted = principal;
            try {
                services.store().claimSession(granted.scope(), granted.deviceId(), own);
            }
            catch (RuntimeException e) {
                LOG.warn("session {}: claim on device {} not repeated: {}", id, granted.deviceId(), e.toString());
            }
            return false;
        }
        LOG.warn("device {} in scope {} connected again elsewhere ({}) while session {} was live: closing this session"
                + " (two live devices with one id are usually a copied database file)", deviceId(), scope(), newer, id);
        close(ErrorCode.SESSION_REPLACED, "another connection now speaks for device " + deviceId());
        return true;
    }

    /**
     * Sends one committed batch as LIVE, leaving out this device's own changes and changes of tables it did not
     * subscribe to (the device still gets the range, so its cursor moves on); see {@link LiveBatch}.
     *
     * @return false when the transport dropped it (queue overflow: the transport tells the device to catch up)
     */
    boolean deliverLive(LiveBatch live) {
        Principal granted = principal;
        if (granted != null && handshake.expired(granted)) {
            tokenExpired(); // nothing reaches a device past its grant, not even between the expiry and its timer
            return true;
        }
        return send(live.messageFor(deviceId(), tables, version));
    }

    boolean send(Message message) {
        boolean sent = connection.send(SessionVersion.as(message, version));
        if (sent && message instanceof Changes changes) {
            activity.position(changes.cursor());
        }
        return sent;
    }

    /** What the connection holds for the device, unread; see {@link Connection#queuedBytes()}. */
    long queuedBytes() {
        return connection.queuedBytes();
    }

    void sendError(ErrorCode code, String message, String ref) {
        services.listener().errorSent(code);
        connection.send(new ErrorMessage(version, code, message, ref));
    }

    /** Refuses the connection before it was welcomed: an ERROR, a close, and the refusal counted. */
    void refuse(ErrorCode code, String reason) {
        services.listener().sessionRefused(connection.transport(), code);
        close(code, reason);
    }

    /** The grant of this session's token ended: the device must authenticate again, with a fresh token if it has one. */
    void tokenExpired() {
        if (closed) {
            return;
        }
        LOG.info("session {} of device {} in scope {} ends: its token expired", id, deviceId(), scope());
        close(ErrorCode.TOKEN_EXPIRED, "the token expired; connect again with a fresh token");
    }

    /** Closes the connection after an ERROR with {@code code} (none when null). */
    void close(ErrorCode code, String reason) {
        closed = true;
        services.registry().closed(this);
        sightedOffline();
        handshake.closed(this);
        if (code != null) {
            services.listener().errorSent(code);
        }
        connection.close(code, reason);
    }

    /** Records once when the device was last seen; nothing for a session that never completed HELLO. */
    private void sightedOffline() {
        if (principal != null && seenOffline.compareAndSet(false, true)) {
            services.sightings().offline(this);
        }
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "Session[" + id + ", " + connection.transport() + ", device=" + deviceId() + ", scope=" + scope() + "]";
    }
}
