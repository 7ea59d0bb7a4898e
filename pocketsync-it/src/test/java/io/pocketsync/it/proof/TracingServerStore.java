package io.pocketsync.it.proof;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.ChangeFeedListener;
import io.pocketsync.api.store.CommittedBatch;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.testkit.store.ForwardingServerStore;
import java.util.List;
import java.util.function.Function;

/**
 * A store that records into a {@link RunTrace} what one server node did with it: every apply (changes in,
 * outcomes out) and every batch its change feed delivered. Everything else passes through.
 */
final class TracingServerStore extends ForwardingServerStore {
    private final String node;
    private final RunTrace trace;

    TracingServerStore(ServerStore delegate, String node, RunTrace trace) {
        super(delegate);
        this.node = requireNonNull(node, "node is null");
        this.trace = requireNonNull(trace, "trace is null");
    }

    @Override
    public BatchOutcome apply(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers) {
        try {
            BatchOutcome outcome = super.apply(scope, changes, resolvers);
            trace.applied(node, changes, outcome, null);
            return outcome;
        }
        catch (RuntimeException e) {
            trace.applied(node, changes, null, e.toString());
            throw e;
        }
    }

    @Override
    public AutoCloseable subscribe(ChangeFeedListener listener) {
        return super.subscribe(new ChangeFeedListener() {
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
}
