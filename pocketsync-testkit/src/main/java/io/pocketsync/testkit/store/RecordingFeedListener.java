package io.pocketsync.testkit.store;

import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ChangeFeedListener;
import io.pocketsync.api.store.CommittedBatch;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Records what a store's change feed delivers. Thread-safe. */
public final class RecordingFeedListener implements ChangeFeedListener {
    private final List<CommittedBatch> batches = new CopyOnWriteArrayList<>();
    private final AtomicInteger gaps = new AtomicInteger();

    @Override
    public void onCommitted(CommittedBatch batch) {
        batches.add(batch);
    }

    @Override
    public void onGap() {
        gaps.incrementAndGet();
    }

    /**
     * Every batch received, in arrival order.
     *
     * @return a copy
     */
    public List<CommittedBatch> batches() {
        return List.copyOf(batches);
    }

    /**
     * The batches of one scope, in arrival order.
     *
     * @param scope the scope
     * @return the batches
     */
    public List<CommittedBatch> batches(Scope scope) {
        return batches.stream().filter(batch -> batch.scope().equals(scope)).toList();
    }

    /**
     * How many times {@link #onGap()} was called.
     *
     * @return the count
     */
    public int gaps() {
        return gaps.get();
    }
}
