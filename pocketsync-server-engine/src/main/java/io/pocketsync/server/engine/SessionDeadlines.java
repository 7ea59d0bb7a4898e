package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two ends of a session that no message marks: the handshake deadline (a connection that has not been welcomed
 * within {@link LoginLimits#handshakeTimeout()} is closed with {@code ERROR TIMEOUT}) and the token's expiry (a session
 * is closed with {@code ERROR TOKEN_EXPIRED} when its principal's grant ends). It also bounds the connections of one
 * address that wait for their WELCOME at once; a connection over the bound is closed as it arrives.
 *
 * <p>Addresses are those the transport reports ({@link io.pocketsync.api.transport.Connection#peerAddress()}):
 * connections without one (MQTT devices, which reach the server through a broker) are not counted per address, but
 * their handshake has the same deadline.
 *
 * <p>Lifecycle: {@link #start()} creates the timer thread, {@link #close()} stops it. Thread-safe.
 */
final class SessionDeadlines implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionDeadlines.class);

    private final LoginLimits limits;
    private final Map<Session, Timers> timers = new ConcurrentHashMap<>();
    /** Sessions not welcomed yet, per peer address. Guarded by itself. */
    private final Map<String, Integer> pendingPerAddress = new HashMap<>();
    private volatile ScheduledThreadPoolExecutor scheduler;

    SessionDeadlines(LoginLimits limits) {
        this.limits = requireNonNull(limits, "limits is null");
    }

    void start() {
        ScheduledThreadPoolExecutor created = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "pocketsync-session-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        // thousands of welcomed sessions cancel their deadline: do not keep the cancelled tasks until they were due
        created.setRemoveOnCancelPolicy(true);
        scheduler = created;
    }

    /**
     * A connection arrived: it counts against its address until it is welcomed or closed, and must be welcomed in time.
     *
     * @return false when its address has too many connections waiting already (the caller closes it)
     */
    boolean opened(Session session) {
        Optional<String> address = session.connection().peerAddress();
        if (address.isPresent()) {
            synchronized (pendingPerAddress) {
                int pending = pendingPerAddress.getOrDefault(address.get(), 0);
                if (pending >= limits.maxPendingHandshakesPerAddress()) {
                    return false;
                }
                pendingPerAddress.put(address.get(), pending + 1);
            }
        }
        Timers sessionTimers = new Timers(address.orElse(null));
        timers.put(session, sessionTimers);
        sessionTimers.hello = schedule(() -> helloTimedOut(session), limits.handshakeTimeout());
        if (timers.get(session) != sessionTimers) {
            cancel(sessionTimers.hello); // closed while the timer was being set
        }
        return true;
    }

    /** The session was welcomed: it no longer waits, and it ends in {@code untilExpiry} (null: when it closes). */
    void welcomed(Session session, Duration untilExpiry) {
        Timers sessionTimers = timers.get(session);
        if (sessionTimers == null) {
            return; // closed meanwhile
        }
        sessionTimers.welcomed();
        if (untilExpiry != null) {
            sessionTimers.expiry = schedule(session::tokenExpired, untilExpiry.isNegative() ? Duration.ZERO : untilExpiry);
            if (timers.get(session) != sessionTimers) {
                // closed while the timer was being set: a token may live for weeks, so do not keep the session that long
                cancel(sessionTimers.expiry);
            }
        }
    }

    /** The session closed: its timers go, and if it was waiting, its address has a place free again. */
    void closed(Session session) {
        Timers sessionTimers = timers.remove(session);
        if (sessionTimers != null) {
            sessionTimers.welcomed();
            cancel(sessionTimers.expiry);
        }
    }

    private void helloTimedOut(Session session) {
        if (!session.isClosed() && session.deviceId() == null) {
            LOG.debug("session {} ({}) sent no HELLO within {}: closing it", session.id(), session.connection().remoteAddress(),
                    limits.handshakeTimeout());
            session.refuse(ErrorCode.TIMEOUT, "no HELLO within " + limits.handshakeTimeout());
        }
    }

    private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        ScheduledThreadPoolExecutor current = scheduler;
        if (current == null || current.isShutdown()) {
            return null;
        }
        return current.schedule(() -> {
            try {
                task.run();
            }
            catch (RuntimeException e) {
                LOG.warn("session deadline failed", e);
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }

    @Override
    public void close() {
        ScheduledThreadPoolExecutor current = scheduler;
        if (current != null) {
            current.shutdownNow();
        }
    }

    /** One session's timers and its place among its address's pending handshakes. */
    private final class Timers {
        private final String address;
        private boolean pending = true;
        volatile ScheduledFuture<?> hello;
        volatile ScheduledFuture<?> expiry;

        Timers(String address) {
            this.address = address;
        }

        /** No longer waiting for its WELCOME: the deadline goes and the address has a place free. Idempotent. */
        void welcomed() {
            cancel(hello);
            synchronized (pendingPerAddress) {
                if (!pending) {
                    return;
                }
                pending = false;
                if (address != null) {
                    pendingPerAddress.computeIfPresent(address, (a, count) -> count <= 1 ? null : count - 1);
                }
            }
        }
    }
}
