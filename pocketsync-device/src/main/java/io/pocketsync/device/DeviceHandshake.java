package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.DeviceState;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the device has a session, and getting one (docs/protocol.md 3.1): HELLO on each connection, with the token
 * the supplier has then; WELCOME; a HELLO the server refused (then {@link FirstContact} decides when to say it again);
 * a session the server ended because it refused the credentials or the token expired. A HELLO left unanswered for
 * {@link DeviceOptions#pushTimeout()} is said again at the next {@link #tick}. What a session carries (push, pull,
 * verify) is the {@link SyncLoop}'s: it is told when a session is lost, and tells this class when one is welcomed.
 *
 * <p>Engine thread only.
 */
final class DeviceHandshake {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceHandshake.class);

    private final ChangeCapture capture;
    private final ClientTransport transport;
    private final Endpoint endpoint;
    private final Supplier<String> tokens;
    private final DeviceOptions options;
    private final StatusBoard status;
    private final FirstContact contact;
    private final BooleanSupplier stopped;
    private final Runnable sessionLost;

    private boolean welcomed;
    /**
     * When an unanswered HELLO is given up and sent again ({@code 0}: none outstanding): over MQTT a request can
     * vanish while the connection stays up, and no disconnect would ever tell us (see {@link RemoteChangeReceiver}).
     */
    private long helloDeadlineNanos;
    /** Whether the transport reported a connection since its last disconnect: a close before one is a failed attempt. */
    private boolean transportOpen;
    /** Whether this connection's HELLO was refused already (the ERROR and the close both say so). */
    private boolean refusedThisAttempt;
    /**
     * Whether this scope said HELLO on the current connection. An ERROR or refusing close before it answers no HELLO of
     * ours: on a connection of several scopes whose HELLOs were all held back by their refusal backoffs, the server's
     * "no HELLO within 10 s" came untagged to the first scope, which took it as its own refusal, waited again, and so
     * never said HELLO while the connection timed out every 10 s.
     */
    private boolean helloSaid;
    /** The credentials were refused since the last WELCOME: repeats are logged at DEBUG only. */
    private boolean refusedBefore;

    /**
     * @param tokens asked for the token at every HELLO
     * @param stopped whether the device is stopping (no HELLO then); read on the engine thread
     * @param sessionLost forgets what the session had in flight (it will not be answered); runs on the engine thread
     */
    DeviceHandshake(ChangeCapture capture, ClientTransport transport, Endpoint endpoint, Supplier<String> tokens,
            DeviceOptions options, EngineThread engine, StatusBoard status, BooleanSupplier stopped, Runnable sessionLost) {
        this.capture = requireNonNull(capture, "capture is null");
        this.transport = requireNonNull(transport, "transport is null");
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.options = requireNonNull(options, "options is null");
        this.status = requireNonNull(status, "status is null");
        this.stopped = requireNonNull(stopped, "stopped is null");
        this.sessionLost = requireNonNull(sessionLost, "sessionLost is null");
        this.contact = new FirstContact(endpoint.uri().toString(), endpoint.scope(), options, status,
                requireNonNull(engine, "engine is null"), transport, this::sendHello);
    }

    /** Whether the server welcomed the device and the session has not ended since. */
    boolean inSession() {
        return welcomed;
    }

    /** The transport opened a connection: say HELLO (unless a refusal's backoff holds it). */
    void connected() {
        transportOpen = true;
        refusedThisAttempt = false;
        helloSaid = false;
        sendHello();
    }

    /**
     * The transport's connection closed, or an attempt ended before it opened: the session, if any, is lost, and the
     * status board is told.
     */
    void disconnected(ErrorCode code, String reason) {
        boolean was = welcomed;
        if (!transportOpen) {
            contact.attemptFailed(code, reason);
        }
        else if (!was && helloSaid && !refusedThisAttempt && !code.retryable()) {
            refused(code, reason); // the close said it, the ERROR before it was lost
        }
        transportOpen = false;
        helloSaid = false;
        contact.disconnected();
        welcomed = false;
        sessionLost.run();
        helloDeadlineNanos = 0;
        status.disconnected(code, reason, was);
    }

    /** The device is stopping: no session, and no HELLO held for later. */
    void stop() {
        contact.disconnected();
        welcomed = false;
    }

    /** Says HELLO again when the last one went unanswered, or its session ended and the wait for a new one is over. */
    void tick(long nowNanos) {
        if (!welcomed && helloDeadlineNanos != 0 && nowNanos - helloDeadlineNanos > 0) {
            if (refusedBefore) {
                LOG.debug("saying HELLO again after the credentials were refused or expired");
            }
            else {
                LOG.info("no WELCOME within {}; saying HELLO again", options.pushTimeout());
            }
            sendHello();
        }
    }

    /** The server welcomed the device: a session is open. */
    void welcomed() {
        welcomed = true;
        refusedBefore = false;
        helloDeadlineNanos = 0;
        contact.welcomed();
    }

    /**
     * Takes an ERROR that is the handshake's: before WELCOME any ERROR refuses the HELLO; in a session
     * {@code TOKEN_EXPIRED} and {@code AUTH_FAILED} end it.
     *
     * @return true when the ERROR was the handshake's (nothing else is to be done with it)
     */
    boolean refusal(ErrorMessage error) {
        if (!welcomed && !helloSaid) {
            LOG.debug("ERROR {} before this scope said HELLO on the connection: not a refusal of it ({})", error.code(),
                    error.message());
            return true;
        }
        if (!welcomed) {
            refused(error.code(), error.message());
            return true;
        }
        if (error.code() == ErrorCode.TOKEN_EXPIRED || error.code() == ErrorCode.AUTH_FAILED) {
            credentialsRefused(error);
            return true;
        }
        return false;
    }

    private void sendHello() {
        if (stopped.getAsBoolean() || !transportOpen || contact.helloHeld()) {
            return;
        }
        // first: a HELLO that a busy database stops (refreshSchema writes when the schema changed) is said again
        helloDeadlineNanos = SyncLoop.deadline(options);
        capture.refreshSchema();
        // the tracked tables, before the state: a table tracked since the last HELLO moves the cursor back to 0
        List<String> tables = capture.subscribe();
        DeviceState state = capture.state();
        String token;
        try {
            // asked at every HELLO: a session that ended with its token starts again with the one the app has now
            token = tokens.get();
        }
        catch (RuntimeException e) {
            token = null;
            LOG.warn("the token supplier failed with {}; saying HELLO again in {}", e.getClass().getName(), options.pushTimeout());
        }
        if (token == null) {
            status.error(ErrorCode.AUTH_FAILED, "no token to say HELLO with (the token supplier gave none)");
            return;
        }
        helloSaid |= transport.send(new Hello(ProtocolVersion.CURRENT, state.deviceId(), endpoint.scope(), token, state.cursor(),
                state.hlc(), transport.maxAssembledBytes(), tables));
    }

    /** The server refused this connection's HELLO: no HELLO, and no connection attempt, until the backoff is over. */
    private void refused(ErrorCode code, String message) {
        refusedThisAttempt = true;
        helloDeadlineNanos = 0;
        contact.refused(code, message);
    }

    /**
     * The server refused the HELLO's credentials, or ended the session because its token expired: the session is over.
     * Over a socket the server closes the connection too, and the reconnect says HELLO again; over MQTT nothing else
     * happens, so the tick says HELLO again: after a poll interval when the session ended with its token, after
     * {@link DeviceOptions#pushTimeout()} when the credentials were refused. Either way the token supplier is asked
     * again, and a fresh token starts a new session.
     */
    private void credentialsRefused(ErrorMessage error) {
        boolean was = welcomed;
        welcomed = false;
        sessionLost.run();
        boolean expired = error.code() == ErrorCode.TOKEN_EXPIRED;
        // an ended session says HELLO again soon (its app has likely renewed the token); a refused one waits longer
        helloDeadlineNanos = expired ? System.nanoTime() + options.pollInterval().toNanos() : SyncLoop.deadline(options);
        if (was || !refusedBefore) {
            LOG.info("the server {} ({}); saying HELLO again with the token the supplier has then",
                    expired ? "ended the session: its token expired" : "refused the credentials", error.code());
        }
        else {
            LOG.debug("the server refused the credentials again ({})", error.code());
        }
        refusedBefore = true;
        status.error(error.code(), error.message());
        status.disconnected(error.code(), error.message(), was);
    }
}
