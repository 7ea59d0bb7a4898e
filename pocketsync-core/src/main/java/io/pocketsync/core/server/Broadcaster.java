package io.pocketsync.core.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.store.ChangeFeedListener;
import io.pocketsync.api.store.CommittedBatch;
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
        int dropped = 0;
        for (Session session : sessions) {
            if (!session.isClosed() && !session.deliverLive(batch)) {
                dropped++;
            }
        }
        services.listener().broadcast(batch.scope(), sessions.size(), dropped);
    }

    @Override
    public void onGap() {
        for (Session session : services.registry().joined()) {
            session.sendError(ErrorCode.CATCH_UP_REQUIRED, "live updates may have been missed; pull from your cursor", null);
        }
    }
}
