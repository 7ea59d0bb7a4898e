package io.pocketsync.testkit.store;

import static io.pocketsync.testkit.store.TestChanges.TABLE;
import static io.pocketsync.testkit.store.TestChanges.delete;
import static io.pocketsync.testkit.store.TestChanges.insert;
import static io.pocketsync.testkit.store.TestChanges.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.ServerStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ServerStore} must pass. A store's test extends this class and implements
 * {@link #newStore}; everything else is inherited.
 *
 * <p>{@link #newStore} is called once or more per test. Every call within one test must return a store
 * over the <em>same</em> data (a second node sharing a Redis, or a SQLite store reopened after a
 * restart), and every test uses fresh, unique scope names, so stores may share data across tests as
 * long as {@link #cleanUp()} removes what a test created. Stores are closed by this class after each
 * test, before {@link #cleanUp()} runs.
 *
 * <p>The tests are split by theme over package-private layers (the fixture, outcomes, resolution, paging,
 * scopes/audit/feed, and concurrency here), chained only because a class has one superclass; a subclass
 * runs them all.
 */
public abstract class AbstractServerStoreContractTest extends StoreScopeAuditFeedContract {
    // ---------------------------------------------------------------- concurrency and visibility

    @Test
    void concurrentWritersGetGapFreeSequencesAndAPollingReaderMissesNothing() throws Exception {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        AtomicBoolean writersDone = new AtomicBoolean();
        Map<String, RowState> seen = new ConcurrentHashMap<>();
        ExecutorService readerThread = Executors.newSingleThreadExecutor();
        Future<Long> reader = readerThread.submit(() -> pollUntilDone(store, scope, writersDone, seen));

        Random random = new Random(42);
        List<Long> sequences = runConcurrently(4, 25, (thread, i) -> {
            List<Change> batch = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                String id = "t" + thread + "-" + i + "-" + k;
                String gid = "r" + random.nextInt(30);
                long hlc = nextHlc();
                batch.add(switch (random.nextInt(5)) {
                    case 0 -> delete(id, gid, hlc);
                    case 1 -> update(id, gid, hlc - (3L << Hlc.LOGICAL_BITS), row("by", id));
                    default -> insert(id, gid, hlc, row("by", id));
                });
            }
            return batch;
        }, store, scope);
        writersDone.set(true);
        long finalCursor = reader.get(60, TimeUnit.SECONDS);
        readerThread.shutdown();

        long head = store.info(scope).head();
        assertThat(sequences).hasSize((int) head);
        assertThat(sequences).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, head).boxed().toList());
        assertThat(finalCursor).isEqualTo(head);
        Map<String, RowState> finalState = new HashMap<>();
        readAll(store, scope, 0, 7).forEach(state -> finalState.put(state.globalId(), state));
        assertThat(seen).isEqualTo(finalState);
    }

    @Test
    void twoStoresOverTheSameDataShareOneSequence() throws Exception {
        ServerStore first = open("node-1");
        ServerStore second = open("node-2");
        Scope scope = uniqueScope();

        List<Long> sequences = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (ServerStore store : List.of(first, second)) {
                String node = store == first ? "a" : "b";
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 20; i++) {
                        BatchOutcome outcome = store.apply(scope, List.of(
                                insert(node + i + "x", "shared" + (i % 3), nextHlc(), row("node", node)),
                                insert(node + i + "y", node + i, nextHlc(), row("node", node))), lww());
                        outcome.outcomes().stream().filter(o -> o.status() == ChangeStatus.APPLIED)
                                .forEach(o -> sequences.add(o.sequence()));
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        }
        finally {
            pool.shutdownNow();
        }

        // Writes to the shared rows may lose to a later HLC committed earlier; the rest always apply.
        long head = first.info(scope).head();
        assertThat(head).isBetween(40L, 80L);
        assertThat(sequences).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, head).boxed().toList());
        assertThat(second.info(scope).head()).isEqualTo(head);
        assertThat(readAll(first, scope, 0, 1000)).isEqualTo(readAll(second, scope, 0, 1000));
    }

    @Test
    void reopenedStoreSeesEverythingAndContinuesTheSequence() {
        ServerStore first = open("node-1");
        Scope scope = uniqueScope();
        long older = nextHlc();
        first.apply(scope, List.of(insert("c1", "r1", nextHlc(), row("title", "one")),
                update("c0", "r1", older, row("title", "lost"))), lww());
        RowState before = first.row(scope, TABLE, "r1").orElseThrow();
        first.close();
        first.close(); // idempotent

        ServerStore second = open("node-2");

        assertThat(second.row(scope, TABLE, "r1")).contains(before);
        assertThat(second.info(scope).head()).isEqualTo(1);
        assertThat(second.scopes()).contains(scope);
        assertThat(second.audit(scope, 0, 10)).hasSize(1);
        BatchOutcome outcome = second.apply(scope, List.of(insert("c1", "r1", nextHlc(), row()),
                insert("c2", "r2", nextHlc(), row())), lww());
        assertThat(statuses(outcome)).containsExactly(ChangeStatus.DUPLICATE, ChangeStatus.APPLIED);
        assertThat(outcome.outcomes().get(1).sequence()).isEqualTo(2);
    }
}
