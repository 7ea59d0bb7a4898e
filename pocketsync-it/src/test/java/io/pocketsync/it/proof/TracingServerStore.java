package io.pocketsync.it.proof;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.api.store.ChangeFeedListener;
import io.pocketsync.api.store.CommittedBatch;
import io.pocketsync.api.store.ScopeInfo;
import io.pocketsync.api.store.ServerStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A store that records into a {@link RunTrace} what one server node did with it: every apply (changes in,
 * outcomes out) and every batch its change feed delivered. Everything else passes through.
 */
final class TracingServerStore implements ServerStore {
    private final ServerStore delegate;
    private final String node;
    private final RunTrace trace;

    TracingServerStore(ServerStore delegate, String node, RunTrace trace) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.node = requireNonNull(node, "node is null");
        this.trace = requireNonNull(trace, "trace is null");
    }

    @Override
    public BatchOutcome apply(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers) {
        try {
            BatchOutcome outcome = delegate.apply(scope, changes, resolvers);
            trace.applied(node, changes, outcome, null);
            return outcome;
        }
        catch (RuntimeException e) {
            trace.applied(node, changes, null, e.toString());
            throw e;
        }
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
        return delegate.subscribe(new ChangeFeedListener() {
            @Override
            public void onCommitted(CommittedBatch batch) {
                trace.fed(node, batch);
                listener.onCommitted(batch);
            }

            @Override
            public void onGap() {
                trace.connection(node, "feed gap");
                listener.onGap();
            }
        });
    }

    @Override
    public void close() {
        delegate.close();
    }
}
