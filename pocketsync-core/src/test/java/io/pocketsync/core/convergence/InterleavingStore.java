package io.pocketsync.core.convergence;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.api.store.ChangeFeedListener;
import io.pocketsync.api.store.ScopeInfo;
import io.pocketsync.api.store.ServerStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A store that lets a test commit another batch right after the next batch of a given device is stored, before
 * the server engine builds that batch's ACK: what another server node (or session) may do at any moment.
 */
final class InterleavingStore implements ServerStore {
    private record Interleave(String deviceId, List<Change> changes) {}

    private final ServerStore delegate;
    private final AtomicReference<Interleave> next = new AtomicReference<>();

    InterleavingStore(ServerStore delegate) {
        this.delegate = requireNonNull(delegate, "delegate is null");
    }

    /** Once {@code deviceId}'s next batch is stored, {@code changes} are stored as another batch. */
    void afterNextBatchOf(String deviceId, List<Change> changes) {
        next.set(new Interleave(deviceId, List.copyOf(changes)));
    }

    @Override
    public BatchOutcome apply(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers) {
        BatchOutcome outcome = delegate.apply(scope, changes, resolvers);
        Interleave interleave = next.get();
        if (interleave != null && !changes.isEmpty() && changes.get(0).deviceId().equals(interleave.deviceId())
                && next.compareAndSet(interleave, null)) {
            delegate.apply(scope, interleave.changes(), resolvers);
        }
        return outcome;
    }

    @Override
    public CatchUpPage page(Scope scope, long afterSequence, int limit, boolean includeDeleted) {
        return delegate.page(scope, afterSequence, limit, includeDeleted);
    }

    @Override
    public Optional<RowState> row(Scope scope, String table, String globalId) {
        return delegate.row(scope, table, globalId);
    }

    @Override
    public ScopeInfo info(Scope scope) {
        return delegate.info(scope);
    }

    @Override
    public List<Scope> scopes() {
        return delegate.scopes();
    }

    @Override
    public long prune(Scope scope, Instant olderThan) {
        return delegate.prune(scope, olderThan);
    }

    @Override
    public List<AuditEntry> audit(Scope scope, long afterId, int limit) {
        return delegate.audit(scope, afterId, limit);
    }

    @Override
    public AutoCloseable subscribe(ChangeFeedListener listener) {
        return delegate.subscribe(listener);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
