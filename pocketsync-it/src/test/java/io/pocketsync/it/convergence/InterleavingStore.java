package io.pocketsync.it.convergence;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.testkit.store.ForwardingServerStore;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A store that lets a test commit another batch right after the next batch of a given device is stored, before
 * the server engine builds that batch's ACK: what another server node (or session) may do at any moment.
 */
final class InterleavingStore extends ForwardingServerStore {
    private record Interleave(String deviceId, List<Change> changes) {}

    private final AtomicReference<Interleave> next = new AtomicReference<>();

    InterleavingStore(ServerStore delegate) {
        super(delegate);
    }

    /** Once {@code deviceId}'s next batch is stored, {@code changes} are stored as another batch. */
    void afterNextBatchOf(String deviceId, List<Change> changes) {
        next.set(new Interleave(deviceId, List.copyOf(changes)));
    }

    @Override
    public BatchOutcome apply(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers) {
        BatchOutcome outcome = delegate().apply(scope, changes, resolvers);
        Interleave interleave = next.get();
        if (interleave != null && !changes.isEmpty() && changes.get(0).deviceId().equals(interleave.deviceId())
                && next.compareAndSet(interleave, null)) {
            delegate().apply(scope, interleave.changes(), resolvers);
        }
        return outcome;
    }
}
