package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.ReconnectPolicy;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says why the device has no session, once per cause rather than once per attempt, and decides how long a refused
 * device waits before its next HELLO. Two kinds of failure reach it:
 *
 * <ul>
 *   <li>an attempt that never opened a connection (a wrong host, port or path): WARN the first time a cause shows,
 *       DEBUG while the same cause repeats; the transport's own backoff spaces the attempts;
 *   <li>a HELLO the server refused: a refusal that retrying soon cannot fix (wrong token, forbidden scope, unsupported
 *       protocol) waits {@link DeviceOptions#refusalBackoff()}, doubling up to its cap; a transient one (a store
 *       outage, a server shutting down) waits {@link DeviceOptions#retry()}. One WARN per wait, naming it.
 * </ul>
 *
 * A WELCOME starts both over. Engine thread only.
 */
final class FirstContact {
    private static final Logger LOG = LoggerFactory.getLogger(FirstContact.class);

    private final String server;
    private final String scope;
    private final DeviceOptions options;
    private final StatusBoard status;
    private final EngineThread engine;
    private final ClientTransport transport;
    private final Runnable sendHello;
    private @Nullable String lastCause;
    /** No HELLO before this {@link System#nanoTime()} ({@code 0}: none). */
    private long helloNotBeforeNanos;
    private @Nullable ScheduledFuture<?> heldHello;
    private int failedAttempts;
    private int refusals;
    private boolean told;

    /**
     * @param scope the scope whose HELLO this decides on, named in refusals (a device of several scopes may be refused
     *     in one and welcomed in the others)
     * @param sendHello says HELLO (on the engine thread) once a hold is over
     */
    FirstContact(String server, String scope, DeviceOptions options, StatusBoard status, EngineThread engine,
            ClientTransport transport, Runnable sendHello) {
        this.server = requireNonNull(server, "server is null");
        this.scope = requireNonNull(scope, "scope is null");
        this.options = requireNonNull(options, "options is null");
        this.status = requireNonNull(status, "status is null");
        this.engine = requireNonNull(engine, "engine is null");
        this.transport = requireNonNull(transport, "transport is null");
        this.sendHello = requireNonNull(sendHello, "sendHello is null");
    }

    /**
     * Whether a HELLO must wait for the end of a refusal's backoff; if so, it is said then (a transport may connect
     * before the hold is over, or keep its connection through the refusal).
     */
    boolean helloHeld() {
        long held = helloNotBeforeNanos == 0 ? 0 : helloNotBeforeNanos - System.nanoTime();
        if (held <= 0) {
            helloNotBeforeNanos = 0;
            return false;
        }
        if (heldHello == null || heldHello.isDone()) {
            heldHello = engine.schedule(sendHello, held, TimeUnit.NANOSECONDS);
        }
        return true;
    }

    /** The connection is gone: a HELLO held for it is dropped (the next connection says its own). */
    void disconnected() {
        EngineThread.cancel(heldHello);
        heldHello = null;
    }

    /** A connection attempt ended before it opened. */
    void attemptFailed(ErrorCode code, String reason) {
        failedAttempts++;
        if (Objects.equals(reason, lastCause)) {
            LOG.debug("cannot connect to {} (attempt {}): {}", server, failedAttempts, reason);
            return;
        }
        lastCause = reason;
        told = true;
        LOG.warn("cannot connect to {}: {}; retrying with backoff ({})", server, reason, code);
        status.connectFailed(code, reason);
    }

    /**
     * The server refused the HELLO (an ERROR before WELCOME, or a close with such a code): the next HELLO, and the
     * transport's next attempt, wait for the backoff.
     */
    void refused(ErrorCode code, String message) {
        ReconnectPolicy policy = code.retryable() ? options.retry() : options.refusalBackoff();
        Duration wait = policy.delay(refusals++);
        String what = describe(code) + " (" + code + (message.isBlank() ? "" : ": " + message) + ")";
        String line = what + "; next attempt in " + words(wait);
        lastCause = what;
        told = true;
        LOG.warn("{} refused the device in scope {}: {}", server, scope, line);
        status.connectFailed(code, line);
        long until = System.nanoTime() + wait.toNanos();
        helloNotBeforeNanos = until == 0 ? 1 : until;
        transport.pause(wait);
        helloHeld(); // a connection that stays open (MQTT) says HELLO again when the wait is over
    }

    /** The server welcomed the device. */
    void welcomed() {
        if (told) {
            LOG.info("connected to {} after {} failed attempt(s) and {} refusal(s)", server, failedAttempts, refusals);
        }
        lastCause = null;
        failedAttempts = 0;
        refusals = 0;
        told = false;
        helloNotBeforeNanos = 0;
    }

    private static String describe(ErrorCode code) {
        return switch (code) {
            case AUTH_FAILED -> "authentication failed: the token is wrong or missing";
            case TOKEN_EXPIRED -> "the token has expired";
            case SCOPE_FORBIDDEN -> "the token does not grant this scope";
            case PROTOCOL_VERSION_UNSUPPORTED -> "the server does not speak this device's protocol version";
            case IDENTIFIER_INVALID -> "the scope or device id is not valid";
            case STORE_UNAVAILABLE -> "the server cannot reach its store";
            case SHUTTING_DOWN -> "the server is shutting down";
            default -> "the server said no";
        };
    }

    /** "8 s", "2 min 5 s", "450 ms". */
    static String words(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        long seconds = Math.round(millis / 1000.0);
        if (seconds < 60) {
            return seconds + " s";
        }
        return seconds / 60 + " min" + (seconds % 60 == 0 ? "" : " " + seconds % 60 + " s");
    }
}
