package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the bytes queued for the devices of one scope on this node ({@link ServerOptions#maxQueuedBytesPerScope()}).
 * Each transport bounds one connection; a tenant with many devices that do not read would still hold that bound many
 * times over. So before each live broadcast the scope's queued bytes are summed ({@code Connection.queuedBytes()},
 * cheap); when they reach the bound, a session holding more than its share (the bound divided among the scope's
 * sessions) is left out of live broadcast: it falls behind. Devices that read keep an almost empty queue and keep
 * receiving. A session that fell behind is told {@code CATCH_UP_REQUIRED} once its queue is empty (checked on each
 * broadcast of its scope and by {@link #sweep()}), and pulls what it missed page by page.
 *
 * <p>Thread-safe: broadcasts come from the store's feed threads, sweeps from the engine's timer.
 */
final class ScopeBudget {
    private static final Logger LOG = LoggerFactory.getLogger(ScopeBudget.class);

    private final ServerServices services;
    private final Set<Session> behind = ConcurrentHashMap.newKeySet();

    ScopeBudget(ServerServices services) {
        this.services = requireNonNull(services, "services is null");
    }

    /** The admission of one broadcast to {@code sessions}, all of one scope. */
    Round round(List<Session> sessions) {
        long total = 0;
        for (Session session : sessions) {
            total += session.queuedBytes();
        }
        long max = services.options().maxQueuedBytesPerScope();
        return new Round(total, total >= max ? max / Math.max(1, sessions.size()) : Long.MAX_VALUE);
    }

    /**
     * Tells the sessions that fell behind and have since read their queue to catch up; forgets closed ones. The
     * engine's timer calls it, for scopes with no broadcast to do it.
     */
    void sweep() {
        for (Session session : behind) {
            caughtUp(session);
        }
    }

    /** Sessions left out of live broadcast right now, for tests and metrics. */
    int behindCount() {
        return behind.size();
    }

    /** True when {@code session} fell behind earlier and has now read its queue (it was told to catch up). */
    private boolean caughtUp(Session session) {
        if (session.isClosed()) {
            behind.remove(session);
            return false;
        }
        if (session.queuedBytes() > 0 || !behind.remove(session)) {
            return false;
        }
        session.sendError(ErrorCode.CATCH_UP_REQUIRED,
                "live updates were left out while this scope's devices had too much unread; pull from your cursor", null);
        return true;
    }

    /** One broadcast's admission: the scope's total when it began, and the share a session may hold. */
    final class Round {
        private final long total;
        private final long share;

        /**
         * @param total bytes queued for the scope's sessions when the broadcast began
         * @param share the most a session may hold and still get the broadcast; {@link Long#MAX_VALUE} below the bound
         */
        private Round(long total, long share) {
            this.total = total;
            this.share = share;
        }

        /** Whether this broadcast goes to {@code session}; false leaves it out (it will be told to catch up). */
        boolean admits(Session session) {
            if (behind.contains(session) && !caughtUp(session)) {
                return false;
            }
            if (share == Long.MAX_VALUE) {
                return true;
            }
            long queued = session.queuedBytes();
            if (queued <= share) {
                return true;
            }
            if (behind.add(session)) {
                LOG.info("scope {}: {} bytes queued for its devices on this node (server.max-queued-bytes-per-scope {}):"
                        + " session {} holds {} bytes unread and gets no live updates until it has read them",
                        session.scope(), total, services.options().maxQueuedBytesPerScope(), session.id(), queued);
            }
            return false;
        }
    }
}
