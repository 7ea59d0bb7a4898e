package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Credentials;
import io.pocketsync.api.auth.Principal;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.api.store.ScopeInfo;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HELLO → WELCOME: checks identifiers and the connection's address, authenticates into exactly one
 * scope, merges the device clock and tells the device whether it must resync, and the highest sequence stored from
 * it (its mark: a device restored from a backup learns from it that it lacks writes it made). Any refusal is an ERROR
 * followed by close. Tokens never reach a log line or a message.
 *
 * <p>The front door's guards meet here: every failed login answers {@code AUTH_FAILED} whatever was wrong, failed
 * logins are throttled per address and device id ({@link LoginThrottle}), and a connection must be welcomed in time and
 * ends when its grant does ({@link SessionDeadlines}).
 *
 * <p>Thread-safe.
 */
final class HandshakeHandler {
    private static final Logger LOG = LoggerFactory.getLogger(HandshakeHandler.class);

    /** The one answer to every failed or throttled login. */
    static final String AUTH_FAILED_MESSAGE = "authentication failed";
    private static final String ADDRESS = "address:";
    private static final String DEVICE = "device:";

    private final ServerServices services;
    private final LoginThrottle throttle;
    private final SessionDeadlines deadlines;

    HandshakeHandler(ServerServices services, LoginThrottle throttle, SessionDeadlines deadlines) {
        this.services = requireNonNull(services, "services is null");
        this.throttle = requireNonNull(throttle, "throttle is null");
        this.deadlines = requireNonNull(deadlines, "deadlines is null");
    }

    void hello(Session session, Hello hello) {
        String transport = session.connection().transport();
        ServerOptions options = services.options();
        if (!validId(hello.scope()) || !validId(hello.deviceId())) {
            refuse(session, hello, ErrorCode.IDENTIFIER_INVALID, "scope and device must be 1-" + options.maxIdentifierLength()
                    + " characters of [A-Za-z0-9._:@-]");
            return;
        }
        if (hello.cursor() < 0) {
            refuse(session, hello, ErrorCode.INVALID_FIELD, "cursor must not be negative");
            return;
        }
        if (hello.tables() != null && !hello.tables().stream().allMatch(Identifiers::isSqlName)) {
            refuse(session, hello, ErrorCode.IDENTIFIER_INVALID, "every name in 'tables' must be a table name: 1-"
                    + Identifiers.MAX_LENGTH + " characters, no control characters");
            return;
        }
        if (!session.connection().addressedScope().map(hello.scope()::equals).orElse(true)
                || !session.connection().addressedDevice().map(hello.deviceId()::equals).orElse(true)) {
            refuse(session, hello, ErrorCode.SCOPE_FORBIDDEN, "HELLO names another scope or device than the connection's address");
            return;
        }
        Optional<String> address = session.connection().peerAddress();
        if (throttled(session, address, hello.deviceId())) {
            return;
        }
        Principal principal;
        try {
            principal = services.authenticator().authenticate(new Credentials(hello.scope(), hello.deviceId(), hello.token()));
        }
        catch (PocketSyncException e) {
            failed(session, address, hello, e.code().name());
            return;
        }
        catch (RuntimeException e) {
            // an authenticator bug: report the type only, its message could quote credentials; not the device's failure
            LOG.error("authenticator failed with {} for device {}", e.getClass().getName(), hello.deviceId());
            refuse(session, ErrorCode.AUTH_FAILED, AUTH_FAILED_MESSAGE);
            return;
        }
        if (principal == null || !principal.scope().name().equals(hello.scope()) || !principal.deviceId().equals(hello.deviceId())) {
            failed(session, address, hello, "credentials for another scope or device");
            return;
        }
        if (expired(principal)) {
            failed(session, address, hello, "a grant that has already ended");
            return;
        }
        throttle.succeeded(DEVICE + hello.deviceId());
        ScopeInfo info;
        long deviceMark;
        DeviceControls.Verdict controls;
        try {
            Scope scope = principal.scope();
            // an operator's revocation or resync request (admin API), recorded through any node
            controls = services.timed("controls", () -> services.controls().atHello(scope, hello.deviceId()));
            info = services.timed("info", () -> services.store().info(scope));
            // what the server stored from this device id: a device that knows of less was restored or lost its file
            deviceMark = services.timed("mark", () -> services.store().deviceMark(scope, hello.deviceId()));
        }
        catch (PocketSyncException e) {
            refuse(session, hello, ErrorCode.STORE_UNAVAILABLE, "store unavailable; retry later");
            return;
        }
        if (controls.revoked() != null) {
            refuse(session, hello, ErrorCode.DEVICE_REVOKED, "device " + hello.deviceId() + " is revoked in scope "
                    + hello.scope() + "; an operator can allow it again");
            return;
        }
        Hlc serverHlc;
        try {
            serverHlc = services.hlc().receive(hello.deviceHlc());
        }
        catch (PocketSyncException e) {
            // a device clock far ahead is not merged; its changes will be rejected with CLOCK_SKEW
            LOG.warn("device {} clock {} is too far ahead; not merged", hello.deviceId(), hello.deviceHlc());
            serverHlc = services.hlc().now();
        }
        boolean resync = hello.cursor() < info.horizon() || hello.cursor() > info.head() || controls.resyncAskedAt() > 0;
        if (controls.resyncAskedAt() > 0) {
            // its first PULL is served as a snapshot from 0 whatever its cursor
            session.activity().askSnapshot(controls.resyncAskedAt());
        }
        // the limits the connection enforces on encoded bytes, when its transport says them
        int frameBytes = session.connection().maxFrameBytes() > 0 ? session.connection().maxFrameBytes() : options.maxMessageBytes();
        session.send(new Welcome(ProtocolVersion.CURRENT, session.id(), serverHlc, info.head(), resync,
                options.maxBatchChanges(), frameBytes, services.clock().millis(), options.maxRowBytes(),
                session.connection().maxAssembledBytes(), deviceMark, principal.grant()));
        session.established(principal);
        deadlines.welcomed(session, principal.expiresAt() == null ? null
                : Duration.between(services.clock().instant(), principal.expiresAt()));
        services.listener().sessionOpened(principal.scope(), transport);
        LOG.info("device {} connected to scope {} over {} from {} (session {}, cursor {}, head {}{}{})", hello.deviceId(),
                hello.scope(), transport, session.connection().remoteAddress(), session.id(), hello.cursor(), info.head(),
                resync ? ", full resync" : "", session.tables().all() ? "" : ", tables " + session.tables());
    }

    /**
     * A connection arrived: it waits for its WELCOME under the handshake deadline, unless its address has too many
     * waiting already.
     */
    void opened(Session session) {
        if (!deadlines.opened(session)) {
            LOG.debug("refusing {}: {} connections of its address wait for their WELCOME already", session.connection(),
                    services.options().loginLimits().maxPendingHandshakesPerAddress());
            refuse(session, ErrorCode.TIMEOUT, "too many connections from this address are waiting for their HELLO; retry later");
        }
    }

    /** The session closed, whichever side closed it. */
    void closed(Session session) {
        deadlines.closed(session);
    }

    /** Whether {@code principal}'s grant has ended. */
    boolean expired(Principal principal) {
        return principal.expiresAt() != null && !services.clock().instant().isBefore(principal.expiresAt());
    }

    /**
     * While the address or the device id is throttled, the HELLO is refused like a wrong token, without asking the
     * authenticator: a guesser cannot tell a throttled answer from a wrong guess, nor make the server check guesses.
     */
    private boolean throttled(Session session, Optional<String> address, String deviceId) {
        String by = address.isPresent() && throttle.blocked(ADDRESS + address.get()).compareTo(Duration.ZERO) > 0 ? "address"
                : throttle.blocked(DEVICE + deviceId).compareTo(Duration.ZERO) > 0 ? "device" : null;
        if (by == null) {
            return false;
        }
        LOG.debug("refused device {} on {}: its {} is throttled", deviceId, session.connection().remoteAddress(), by);
        services.listener().loginThrottled(session.connection().transport(), by);
        refuse(session, ErrorCode.AUTH_FAILED, AUTH_FAILED_MESSAGE);
        return true;
    }

    /**
     * Every failed login answers the same: a wrong token, a token of another scope or device, an expired one. The
     * reason goes to the log, for the operator only.
     */
    private void failed(Session session, Optional<String> address, Hello hello, String reason) {
        LoginLimits limits = services.options().loginLimits();
        LOG.info("refused device {} for scope {} over {} from {}: {} ({})", printable(hello.deviceId()), printable(hello.scope()),
                session.connection().transport(), session.connection().remoteAddress(), ErrorCode.AUTH_FAILED, reason);
        if (address.isPresent()) {
            startedBlock("address " + address.get(), throttle.failed(ADDRESS + address.get(), limits.addressFailures()),
                    limits.addressFailures());
        }
        startedBlock("device " + hello.deviceId(), throttle.failed(DEVICE + hello.deviceId(), limits.deviceFailures()),
                limits.deviceFailures());
        refuse(session, ErrorCode.AUTH_FAILED, AUTH_FAILED_MESSAGE);
    }

    private void startedBlock(String what, Duration block, int failures) {
        if (!block.isZero()) {
            LOG.info("throttling logins of {} for {} ms: {} or more failed logins within {}", what, block.toMillis(), failures,
                    services.options().loginLimits().failureWindow());
        }
    }

    /** An identifier as a log may show it: a refused one can be anything, so it is cut short and kept to one line. */
    static String printable(String value) {
        if (value == null) {
            return "(none)";
        }
        String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    private boolean validId(String value) {
        return Identifiers.isScopeOrDeviceId(value) && value.length() <= services.options().maxIdentifierLength();
    }

    /** Says who was refused and why, never with the token: an operator sees a refused HELLO at INFO. */
    private static void refuse(Session session, Hello hello, ErrorCode code, String reason) {
        LOG.info("refused device {} for scope {} over {} from {}: {} ({})", printable(hello.deviceId()), printable(hello.scope()),
                session.connection().transport(), session.connection().remoteAddress(), code, reason);
        session.refuse(code, reason);
    }

    /** Refuses without a line of its own: the caller logged why (failed logins, throttled ones, crowded addresses). */
    private static void refuse(Session session, ErrorCode code, String reason) {
        session.refuse(code, reason);
    }
}
