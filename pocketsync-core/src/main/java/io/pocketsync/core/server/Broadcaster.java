package io.pocketsync.core.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.store.ChangeFeedListener;
import io.pocketsync.api.store.CommittedBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends every committed batch (from this node or, through the store's change feed, any other) as one
 * {@code CHANGES mode=LIVE} to each session of the scope on this node, whatever its transport. The
 * recipient's own changes are left out. Sending never blocks: a full outbound queue drops the message
 * and the transport tells that device to catch up, so a slow device never stalls the others.
 *
 * <p>Thread-safe; called on store feed threads.
 */
final class Broadcaster implements ChangeFeedListener {
    private final ServerServices services;

    Broadcaster(ServerServices services) {
        this.services = requireNonNull(services, "services is null");
    }

    @Override
    public void onCommitted(CommittedBatch batch) {
        List<Session> sessions = services.registry().inScope(batch.scope());
        if (sessions.isEmpty()) {
            return;
        }
        // The devices that receive changes first; the one whose PUSH this was gets an empty range, only its cursor
        // moves, so it waits: on a busy node that is one encode and send less before the others' changes go out.
        String origin = batch.changes().isEmpty() ? null : batch.changes().get(0).deviceId();
        List<Session> origins = null;
        int dropped = 0;
        for (Session session : sessions) {
            if (origin != null && origin.equals(session.deviceId())) {
                if (origins == null) {
                    origins = new ArrayList<>(1);
                }
                origins.add(session);
            }
            else if (!deliver(session, batch)) {
                dropped++;
            }
        }
        if (origins != null) {
            for (Session session : origins) {
                if (!deliver(session, batch)) {
                    dropped++;
                }
            }
        }
        services.listener().broadcast(batch.scope(), sessions.size(), dropped);
    }

    /** @return false when the transport dropped the message */
    private static boolean deliver(Session session, CommittedBatch batch) {
        return session.isClosed() || session.deliverLive(batch);
    }

    @Override
    public void onGap() {
        for (Session session : services.registry().joined()) {
            session.sendError(ErrorCode.CATCH_UP_REQUIRED, "live updates may have been missed; pull from your cursor", null);
        }
    }
}
