package io.pocketsync.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.api.store.ChangeOutcome;
import io.pocketsync.api.store.ServerStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;

/**
 * What every part of the {@link AbstractServerStoreContractTest store contract} shares: the stores a test opens
 * (closed after it), the clock, unique scopes and HLCs, and helpers that build and read batches.
 */
abstract class StoreContractFixture {
    /** The clock every store of a test must use for commit times; tests move it instead of sleeping. */
    protected final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

    private final List<ServerStore> opened = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong hlcs = new AtomicLong(Hlc.of(1_900_000_000_000L, 0).value());

    /**
     * Opens a store over this test's data.
     *
     * @return the open store
     * @param nodeId the server node id the store reports in its change feed
     * @param clock the clock for commit times ({@link #clock}); pass it to the provider's context
     */
    protected abstract ServerStore newStore(String nodeId, java.time.Clock clock);

    /**
     * Removes what the test stored (files, keys under a prefix); runs after every store is closed.
     *
     * @throws Exception when cleaning up fails
     */
    protected void cleanUp() throws Exception {}

    @AfterEach
    final void closeStores() throws Exception {
        for (ServerStore store : opened) {
            store.close();
        }
        cleanUp();
    }

    /**
     * Opens a store and closes it after the test.
     *
     * @param nodeId the node id the store reports in its change feed
     * @return the open store
     */
    protected final ServerStore open(String nodeId) {
        ServerStore store = newStore(nodeId, clock);
        opened.add(store);
        return store;
    }

    /**
     * A scope name no other test uses.
     *
     * @return {@code scope-} and a random UUID
     */
    protected static Scope uniqueScope() {
        return Scope.of("scope-" + UUID.randomUUID());
    }

    long nextHlc() {
        return hlcs.addAndGet(1 << Hlc.LOGICAL_BITS);
    }

    static Function<String, ConflictResolver> lww() {
        ConflictResolver resolver = TestResolvers.lastWriteWins();
        return table -> resolver;
    }

    static Function<String, ConflictResolver> all(ConflictResolver resolver) {
        return table -> resolver;
    }

    static List<ChangeStatus> statuses(BatchOutcome outcome) {
        return outcome.outcomes().stream().map(ChangeOutcome::status).toList();
    }

    static Map<String, Object> row(Object... keysAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return row;
    }


    // ---------------------------------------------------------------- helpers

    /** Makes the {@code i}-th batch of writer {@code thread}. */
    @FunctionalInterface
    protected interface BatchMaker {
        /**
         * The batch.
         *
         * @param thread the writer, from 0
         * @param i the batch number of that writer, from 0
         * @return the changes
         */
        List<Change> batch(int thread, int i);
    }

    /**
     * Runs {@code threads} writers of {@code batches} batches each; returns every applied sequence.
     *
     * @param threads how many writers
     * @param batches batches per writer
     * @param maker makes each batch
     * @param store the store
     * @param scope the scope
     * @return the sequences of every applied change
     * @throws Exception when a writer fails
     */
    protected static List<Long> runConcurrently(int threads, int batches, BatchMaker maker, ServerStore store, Scope scope)
            throws Exception {
        List<Long> sequences = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < batches; i++) {
                        List<Change> batch;
                        synchronized (maker) {
                            batch = maker.batch(thread, i);
                        }
                        BatchOutcome outcome = store.apply(scope, batch, lww());
                        outcome.outcomes().stream().filter(o -> o.status() == ChangeStatus.APPLIED)
                                .forEach(o -> sequences.add(o.sequence()));
                        List<Long> own = outcome.outcomes().stream().filter(o -> o.status() == ChangeStatus.APPLIED)
                                .map(ChangeOutcome::sequence).toList();
                        assertThat(own).isSorted();
                        if (!own.isEmpty()) {
                            assertThat(outcome.fromSequence()).isEqualTo(own.get(0) - 1);
                            assertThat(outcome.toSequence()).isEqualTo(own.get(own.size() - 1));
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(120, TimeUnit.SECONDS);
            }
        }
        finally {
            pool.shutdownNow();
        }
        return sequences;
    }

    static long pollUntilDone(ServerStore store, Scope scope, AtomicBoolean writersDone, Map<String, RowState> seen) {
        long cursor = 0;
        while (true) {
            boolean lastRound = writersDone.get();
            CatchUpPage page;
            do {
                page = store.page(scope, cursor, 5, true);
                assertThat(page.nextCursor()).isGreaterThanOrEqualTo(cursor);
                for (RowState state : page.rows()) {
                    assertThat(state.lastSequence()).isGreaterThan(cursor);
                    RowState previous = seen.put(state.globalId(), state);
                    if (previous != null) {
                        assertThat(state.lastSequence()).isGreaterThan(previous.lastSequence());
                    }
                }
                cursor = page.nextCursor();
            } while (page.hasMore());
            if (lastRound) {
                return cursor;
            }
            Thread.yield();
        }
    }

    /**
     * Every row state of a scope, read page by page from {@code cursor}.
     *
     * @param store the store
     * @param scope the scope
     * @param cursor the cursor to read after
     * @param limit rows per page
     * @return the row states, in sequence order
     */
    protected static List<RowState> readAll(ServerStore store, Scope scope, long cursor, int limit) {
        List<RowState> rows = new ArrayList<>();
        long at = cursor;
        while (true) {
            CatchUpPage page = store.page(scope, at, limit, true);
            rows.addAll(page.rows());
            at = page.nextCursor();
            if (!page.hasMore()) {
                return rows;
            }
        }
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
