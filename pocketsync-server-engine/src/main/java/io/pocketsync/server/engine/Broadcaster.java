package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ChangeFeedListener;
import io.pocketsync.api.store.CommittedBatch;
import java.util.List;
import java.util.Objects;

/**
 * Sends every committed batch (from this node or, through the store's change feed, any other) as one
 * {@code CHANGES mode=LIVE} to each session of the scope on this node, whatever its transport. The
 * recipient's own changes are left out; every session that gets the whole batch gets the same message object
 * ({@link LiveBatch}), which a transport encodes once. Sending never blocks: a connection whose byte budget is spent drops the
 * message and the transport tells that device to catch up, so a slow device never stalls the others; and a scope
 * whose devices hold too much unread leaves the slowest out ({@link ScopeBudget}).
 *
 * <p>Thread-safe; called on store feed threads ({@link #sweep} on the engine's timer).
 */
final class Broadcaster implements ChangeFeedListener {
    private final ServerServices services;
    private final ScopeBudget budget;

    Broadcaster(ServerServices services) {
        this.services = requireNonNull(services, "services is null");
        this.budget = new ScopeBudget(services);
    }

    /** Tells sessions left out for their scope's budget, and that have read their queue since, to catch up. */
    void sweep() {
        budget.sweep();
    }

    /** Sessions left out of live broadcast for their scope's budget. */
    int behindCount() {
        return budget.behindCount();
    }

    @Override
    public void onCommitted(CommittedBatch batch) {
        List<Session> sessions = services.registry().inScope(batch.scope());
        if (sessions.isEmpty()) {
            return;
        }
        // A batch normally comes from one device, which gets only an empty LIVE (its cursor moves): the others,
        // who have rows to apply, are served first.
        String origin = soleOrigin(batch);
        ScopeBudget.Round round = budget.round(sessions);
        LiveBatch live = new LiveBatch(batch);
        int dropped = 0;
        for (Session session : sessions) {
            if (!Objects.equals(session.deviceId(), origin) && !deliver(session, live, round)) {
                dropped++;
            }
        }
        for (Session session : sessions) {
            if (Objects.equals(session.deviceId(), origin) && !deliver(session, live, round)) {
                dropped++;
            }
        }
        services.listener().broadcast(batch.scope(), sessions.size(), dropped);
    }

    /** False when {@code session} missed the batch: left out for its scope's budget, or its connection dropped it. */
    private boolean deliver(Session session, LiveBatch live, ScopeBudget.Round round) {
        if (session.isClosed()) {
            return true;
        }
        return round.admits(session) && session.deliverLive(live);
    }

    /** The device every change of {@code batch} comes from, or null when they come from several. */
    private static String soleOrigin(CommittedBatch batch) {
        String origin = null;
        for (Change change : batch.changes()) {
            if (origin == null) {
                origin = change.deviceId();
            }
            else if (!origin.equals(change.deviceId())) {
                return null;
            }
        }
        return origin;
    }

    @Override
    public void onSessionClaimed(Scope scope, String deviceId, String claim) {
        for (Session session : services.registry().ofDevice(scope, deviceId)) {
            session.replacedBy(claim);
        }
    }

    @Override
    public void onGap() {
        for (Session session : services.registry().joined()) {
            session.sendError(ErrorCode.CATCH_UP_REQUIRED, "live updates may have been missed; pull from your cursor", null);
        }
    }
}
