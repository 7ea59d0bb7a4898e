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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HELLO → WELCOME: checks identifiers and the connection's address, authenticates into exactly one
 * scope, merges the device clock and tells the device whether it must resync, and the highest sequence stored from
 * it (its mark: a device restored from a backup learns from it that it lacks writes it made). Any refusal is an ERROR
 * followed by close. Tokens never reach a log line or a message.
 *
 * <p>Stateless and thread-safe.
 */
final class HandshakeHandler {
    private static final Logger LOG = LoggerFactory.getLogger(HandshakeHandler.class);

    private final ServerServices services;

    HandshakeHandler(ServerServices services) {
        this.services = requireNonNull(services, "services is null");
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
        if (!session.connection().addressedScope().map(hello.scope()::equals).orElse(true)
                || !session.connection().addressedDevice().map(hello.deviceId()::equals).orElse(true)) {
            refuse(session, hello, ErrorCode.SCOPE_FORBIDDEN, "HELLO names another scope or device than the connection's address");
            return;
        }
        Principal principal;
        try {
            principal = services.authenticator().authenticate(new Credentials(hello.scope(), hello.deviceId(), hello.token()));
        }
        catch (PocketSyncException e) {
            refuse(session, hello, e.code(), e.getMessage());
            return;
        }
        catch (RuntimeException e) {
            // an authenticator bug: report the type only, its message could quote credentials
            LOG.error("authenticator failed with {} for device {}", e.getClass().getName(), hello.deviceId());
            refuse(session, hello, ErrorCode.AUTH_FAILED, "authentication failed");
            return;
        }
        if (principal == null || !principal.scope().name().equals(hello.scope()) || !principal.deviceId().equals(hello.deviceId())) {
            refuse(session, hello, ErrorCode.SCOPE_FORBIDDEN, "credentials do not grant scope " + hello.scope());
            return;
        }
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
                session.connection().maxAssembledBytes(), deviceMark));
        session.established(principal);
        services.listener().sessionOpened(principal.scope(), transport);
        LOG.info("device {} connected to scope {} over {} from {} (session {}, cursor {}, head {}{})", hello.deviceId(),
                hello.scope(), transport, session.connection().remoteAddress(), session.id(), hello.cursor(), info.head(),
                resync ? ", full resync" : "");
    }

    /** An identifier as a log may show it: a refused one can be anything, so it is cut short and kept to one line. */
    private static String printable(String value) {
        if (value == null) {
            return "(none)";
        }
        String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    private boolean validId(String value) {
        return Identifiers.isScopeOrDeviceId(value) && value.length() <= services.options().maxIdentifierLength();
    }

    /** Says who was refused and why, never with the token: an operator sees a wrong token at INFO. */
    private void refuse(Session session, Hello hello, ErrorCode code, String reason) {
        LOG.info("refused device {} for scope {} over {} from {}: {} ({})", printable(hello.deviceId()), printable(hello.scope()),
                session.connection().transport(), session.connection().remoteAddress(), code, reason);
        services.listener().sessionRefused(session.connection().transport(), code);
        session.close(code, reason);
    }
}
