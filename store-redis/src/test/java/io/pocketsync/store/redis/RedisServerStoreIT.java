package io.pocketsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.ChangeOutcome;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.CommittedBatch;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.testkit.store.AbstractServerStoreContractTest;
import io.pocketsync.testkit.store.RecordingFeedListener;
import io.pocketsync.testkit.store.StoreTestContext;
import io.pocketsync.testkit.store.TestChanges;
import io.pocketsync.testkit.store.TestResolvers;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The store contract against the real Redis ({@code PS_REDIS_URI}); every test has its own key prefix and
 * deletes only its keys. Two stores in one test are two server nodes sharing that Redis.
 */
class RedisServerStoreIT extends AbstractServerStoreContractTest {
    private final String prefix = RedisTestSupport.uniquePrefix();

    @Override
    protected ServerStore newStore(String nodeId, Clock clock) {
        return new RedisServerStoreProvider().create(
                PluginConfig.of(RedisStoreConfig.NAMESPACE, Map.of("uri", RedisTestSupport.uri(), "prefix", prefix)),
                new StoreTestContext(nodeId, clock));
    }

    @Override
    protected void cleanUp() {
        RedisTestSupport.deleteKeys(RedisTestSupport.uri(), prefix);
    }

    @Test
    void commitOnOneNodeReachesTheOtherNodesFeed() {
        ServerStore first = open("node-1");
        ServerStore second = open("node-2");
        RecordingFeedListener onFirst = new RecordingFeedListener();
        RecordingFeedListener onSecond = new RecordingFeedListener();
        first.subscribe(onFirst);
        second.subscribe(onSecond);
        Scope scope = uniqueScope();

        first.apply(scope, List.of(TestChanges.insert("c1", "r1", 1L << 20, Map.of("title", "from node 1"))),
                table -> TestResolvers.lastWriteWins());
        second.apply(scope, List.of(TestChanges.insert("c2", "r2", 1L << 20, Map.of("title", "from node 2"))),
                table -> TestResolvers.lastWriteWins());

        for (RecordingFeedListener feed : List.of(onFirst, onSecond)) {
            await().untilAsserted(() -> assertThat(feed.batches(scope)).hasSize(2));
            assertThat(feed.batches(scope)).extracting(CommittedBatch::nodeId).containsExactly("node-1", "node-2");
            assertThat(feed.batches(scope)).extracting(CommittedBatch::toSequence).containsExactly(1L, 2L);
            assertThat(feed.batches(scope).get(0).changes()).extracting(Change::row)
                    .containsExactly(Map.of("title", "from node 1"));
        }
    }

    @Test
    void aSessionClaimOnOneNodeReachesEveryNodeAndBatchesStillFlow() {
        ServerStore first = open("node-1");
        ServerStore second = open("node-2");
        List<String> heardByFirst = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> heardBySecond = new java.util.concurrent.CopyOnWriteArrayList<>();
        RecordingFeedListener batches = new RecordingFeedListener();
        first.subscribe(claims(heardByFirst));
        second.subscribe(claims(heardBySecond));
        second.subscribe(batches);
        Scope scope = uniqueScope();

        first.claimSession(scope, "dev-a", "1700000000000:node-1:node-1-7");
        first.apply(scope, List.of(TestChanges.insert("c1", "r1", 1L << 20, Map.of("title", "after the claim"))),
                table -> TestResolvers.lastWriteWins());

        String expected = scope.name() + "/dev-a/1700000000000:node-1:node-1-7";
        await().untilAsserted(() -> assertThat(heardBySecond).containsExactly(expected));
        await().untilAsserted(() -> assertThat(heardByFirst).containsExactly(expected));
        await().untilAsserted(() -> assertThat(batches.batches(scope)).hasSize(1));
    }

    private static io.pocketsync.api.store.ChangeFeedListener claims(List<String> heard) {
        return new io.pocketsync.api.store.ChangeFeedListener() {
            @Override
            public void onCommitted(CommittedBatch batch) {}

            @Override
            public void onSessionClaimed(Scope scope, String deviceId, String claim) {
                heard.add(scope.name() + "/" + deviceId + "/" + claim);
            }
        };
    }

    @Test
    void everyKeyAScopeCreatesHashesToTheScopesClusterSlot() {
        ServerStore store = open("node-1");
        Scope scope = Scope.of("user:42@example.com");
        long hlc = 1L << 20;
        // A tombstone that prune removes (which sets the horizon), then every other kind of key.
        store.apply(scope, List.of(TestChanges.insert("a1", "r1", hlc, Map.of()), TestChanges.delete("a2", "r1", hlc + 1)),
                table -> TestResolvers.lastWriteWins());
        store.prune(scope, clock.instant().plusSeconds(1));
        store.apply(scope, List.of(TestChanges.insert("c1", "r2", hlc + 3, Map.of()),
                TestChanges.update("c0", "r2", hlc + 2, Map.of()), // superseded: an audit entry
                TestChanges.delete("c3", "r3", hlc + 4)), table -> TestResolvers.lastWriteWins());

        Map<String, Integer> slots = new java.util.TreeMap<>();
        RedisClient client = RedisClient.create(RedisTestSupport.uri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            io.lettuce.core.ScanIterator.scan(connection.sync(), io.lettuce.core.ScanArgs.Builder.matches(prefix + ":*"))
                    .forEachRemaining(key -> slots.put(key, ClusterSlot.of(key)));
        }
        finally {
            client.shutdown();
        }

        int scopeSlot = ClusterSlot.of("{" + scope.name() + "}");
        String scopeKey = prefix + ":{" + scope.name() + "}:";
        assertThat(slots.keySet()).containsExactlyInAnyOrder(prefix + ":scopes", scopeKey + "seq", scopeKey + "horizon",
                scopeKey + "rows", scopeKey + "bylast", scopeKey + "tombs", scopeKey + "pids",
                scopeKey + "idbatches", scopeKey + "audit", scopeKey + "auditat", scopeKey + "auditseq", scopeKey + "marks",
                scopeKey + "coarsetables", scopeKey + "coarsesums");
        // The set of scopes is the one key outside the scope's slot; it is never touched by a script.
        slots.remove(prefix + ":scopes");
        assertThat(slots).allSatisfy((key, slot) -> assertThat(slot).as(key).isEqualTo(scopeSlot));
        // A Cluster node runs a script only when all its keys are in one slot: the scripts' key lists are.
        RedisKeys keys = new RedisKeys(prefix, scope);
        assertThat(java.util.stream.Stream.of(keys.forRead(), keys.forWrite(), keys.forPrune(), List.of(keys.deviceMarks()))
                .flatMap(List::stream)
                .map(ClusterSlot::of)).containsOnly(scopeSlot);
    }

    @Test
    void pageOverManyTombstonesIsBoundedAndStillMovesForward() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        List<Change> deletes = new java.util.ArrayList<>();
        for (int i = 0; i < 2100; i++) {
            deletes.add(TestChanges.delete("d" + i, "gone" + i, 1L << 20));
        }
        store.apply(scope, deletes, table -> TestResolvers.lastWriteWins());
        store.apply(scope, List.of(TestChanges.insert("live", "live", 1L << 20, Map.of())), table -> TestResolvers.lastWriteWins());

        io.pocketsync.api.store.CatchUpPage first = store.page(scope, 0, 5, false);
        // The scan budget stopped the page among tombstones: no rows, but the cursor moved past them.
        assertThat(first.rows()).isEmpty();
        assertThat(first.hasMore()).isTrue();
        assertThat(first.nextCursor()).isEqualTo(2000);
        io.pocketsync.api.store.CatchUpPage second = store.page(scope, first.nextCursor(), 5, false);
        assertThat(second.rows()).extracting(io.pocketsync.api.model.RowState::globalId).containsExactly("live");
        assertThat(second.hasMore()).isFalse();
        assertThat(second.nextCursor()).isEqualTo(2101);
    }

    @Test
    void pruneWorksInChunksAndRemovesEverythingOlderThanTheCut() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        int tombstones = RedisServerStore.PRUNE_CHUNK * 2 + 7;
        List<Change> deletes = new java.util.ArrayList<>();
        for (int i = 0; i < tombstones; i++) {
            deletes.add(TestChanges.delete("d" + i, "gone" + i, 1L << 20));
        }
        store.apply(scope, deletes, table -> TestResolvers.lastWriteWins());
        java.time.Instant cut = clock.advance(java.time.Duration.ofHours(1));
        store.apply(scope, List.of(TestChanges.insert("live", "live", 1L << 20, Map.of())), table -> TestResolvers.lastWriteWins());

        assertThat(store.prune(scope, cut)).isEqualTo(tombstones);

        assertThat(store.info(scope)).isEqualTo(new io.pocketsync.api.store.ScopeInfo(tombstones + 1, tombstones));
        assertThat(store.page(scope, 0, 10, true).rows()).extracting(io.pocketsync.api.model.RowState::globalId)
                .containsExactly("live");
        // every idempotency record before the cut is gone too: an old change id applies again
        assertThat(store.apply(scope, List.of(TestChanges.delete("d0", "gone0", 1L << 20)),
                table -> TestResolvers.lastWriteWins()).outcomes().get(0).status())
                .isEqualTo(io.pocketsync.api.protocol.ChangeStatus.APPLIED);
    }

    @Test
    void aRowWrittenByAnotherNodeBetweenReadAndWriteMakesTheBatchStartOver() {
        ServerStore first = open("node-1");
        ServerStore second = open("node-2");
        Scope scope = uniqueScope();
        AtomicInteger calls = new AtomicInteger();
        ConflictResolver interfering = (current, incoming) -> {
            if (calls.getAndIncrement() == 0) {
                // Runs between the first attempt's read and its write: the write script must see the row moved.
                second.apply(scope, List.of(TestChanges.insert("other", "r1", 1L << 20, Map.of("title", "node 2"))),
                        table -> TestResolvers.lastWriteWins());
            }
            return TestResolvers.lastWriteWins().resolve(current, incoming);
        };

        BatchOutcome outcome = first.apply(scope, List.of(TestChanges.update("mine", "r1", 2L << 20, Map.of("title", "node 1"))),
                table -> interfering);

        assertThat(calls).hasValue(2);
        assertThat(outcome.outcomes()).extracting(ChangeOutcome::status).containsExactly(ChangeStatus.APPLIED);
        assertThat(outcome.fromSequence()).isEqualTo(1);
        assertThat(outcome.toSequence()).isEqualTo(2);
        assertThat(first.row(scope, "todo", "r1")).get().satisfies(row -> {
            assertThat(row.lastChangeId()).isEqualTo("mine");
            assertThat(row.firstSequence()).isEqualTo(1);
            assertThat(row.lastSequence()).isEqualTo(2);
        });
    }

    @Test
    void aChangeIdRecordedByAnotherNodeBetweenReadAndWriteEndsAsDuplicate() {
        ServerStore first = open("node-1");
        ServerStore second = open("node-2");
        Scope scope = uniqueScope();
        Change change = TestChanges.insert("same", "r1", 1L << 20, Map.of("title", "x"));
        AtomicInteger calls = new AtomicInteger();
        ConflictResolver interfering = (current, incoming) -> {
            if (calls.getAndIncrement() == 0) {
                second.apply(scope, List.of(change), table -> TestResolvers.lastWriteWins());
            }
            return TestResolvers.lastWriteWins().resolve(current, incoming);
        };

        BatchOutcome outcome = first.apply(scope, List.of(change), table -> interfering);

        assertThat(outcome.outcomes()).extracting(ChangeOutcome::status).containsExactly(ChangeStatus.DUPLICATE);
        assertThat(first.info(scope).head()).isEqualTo(1);
    }

    @Test
    void aBatchOfNewRowsPlannedFromAnOlderHeadTakesTheSequencesAfterTheRealOne() {
        // New rows are written without a read, planned from the head this node saw last; node 2 moved it since.
        ServerStore first = open("node-1");
        ServerStore second = open("node-2");
        Scope scope = uniqueScope();
        first.apply(scope, List.of(TestChanges.insert("c1", "r1", 1L << 20, Map.of())), table -> TestResolvers.lastWriteWins());
        second.apply(scope, List.of(TestChanges.insert("c2", "r2", 1L << 20, Map.of()),
                TestChanges.insert("c3", "r3", 1L << 20, Map.of())), table -> TestResolvers.lastWriteWins());

        BatchOutcome outcome = first.apply(scope, List.of(TestChanges.insert("c4", "r4", 1L << 20, Map.of("n", 4L)),
                TestChanges.insert("c5", "r5", 1L << 20, Map.of("n", 5L))), table -> TestResolvers.lastWriteWins());

        assertThat(outcome.fromSequence()).isEqualTo(3);
        assertThat(outcome.toSequence()).isEqualTo(5);
        assertThat(outcome.outcomes()).extracting(ChangeOutcome::sequence).containsExactly(4L, 5L);
        assertThat(outcome.outcomes().get(1).state()).isEqualTo(first.row(scope, "todo", "r5").orElseThrow());
        assertThat(first.row(scope, "todo", "r4")).get()
                .extracting(RowState::firstSequence, RowState::lastSequence, RowState::row).containsExactly(4L, 4L, Map.of("n", 4L));
        assertThat(first.page(scope, 0, 10, true).rows()).extracting(RowState::globalId)
                .containsExactly("r1", "r2", "r3", "r4", "r5");
        assertThat(second.info(scope).head()).isEqualTo(5);
    }

    @Test
    void anotherNodesBatchOnOtherRowsBetweenReadAndWriteMovesThisBatchsSequences() {
        ServerStore first = open("node-1");
        ServerStore second = open("node-2");
        Scope scope = uniqueScope();
        first.apply(scope, List.of(TestChanges.insert("c0", "r1", 1L << 20, Map.of("title", "v0"))),
                table -> TestResolvers.lastWriteWins());
        AtomicInteger calls = new AtomicInteger();
        ConflictResolver interfering = (current, incoming) -> {
            if (calls.getAndIncrement() == 0) {
                second.apply(scope, List.of(TestChanges.insert("other", "r9", 1L << 20, Map.of("title", "elsewhere"))),
                        table -> TestResolvers.lastWriteWins());
            }
            return TestResolvers.lastWriteWins().resolve(current, incoming);
        };

        BatchOutcome outcome = first.apply(scope, List.of(TestChanges.update("c1", "r1", 2L << 20, Map.of("title", "v1")),
                TestChanges.insert("c2", "r2", 2L << 20, Map.of("title", "new"))), table -> interfering);

        assertThat(calls).hasValue(2);
        assertThat(outcome.fromSequence()).isEqualTo(2);
        assertThat(outcome.outcomes()).extracting(ChangeOutcome::sequence).containsExactly(3L, 4L);
        assertThat(first.row(scope, "todo", "r1")).get().satisfies(row -> {
            assertThat(row.firstSequence()).isEqualTo(1);
            assertThat(row.lastSequence()).isEqualTo(3);
            assertThat(row.row()).isEqualTo(Map.of("title", "v1"));
        });
        assertThat(first.row(scope, "todo", "r2")).get().satisfies(row -> {
            assertThat(row.firstSequence()).isEqualTo(4);
            assertThat(row.lastSequence()).isEqualTo(4);
        });
        assertThat(first.page(scope, 0, 10, true).rows()).extracting(RowState::lastSequence).containsExactly(2L, 3L, 4L);
    }

    @Test
    void pruneDrainsTheProcessedIdRecordsAndThenTheIdsAreNewAgain() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        RedisKeys keys = new RedisKeys(prefix, scope);
        long hlc = 1L << 20;
        store.apply(scope, List.of(TestChanges.insert("c1", "r1", hlc, Map.of()), TestChanges.delete("c2", "r1", hlc + 1)),
                table -> TestResolvers.lastWriteWins());
        RedisClient client = RedisClient.create(RedisTestSupport.uri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            assertThat(connection.sync().exists(keys.processed(), keys.processedBatches())).isEqualTo(2);

            store.prune(scope, clock.advance(java.time.Duration.ofHours(1)));

            assertThat(connection.sync().exists(keys.processed(), keys.processedBatches())).isZero();
        }
        finally {
            client.shutdown();
        }
        assertThat(store.apply(scope, List.of(TestChanges.insert("c1", "r1", hlc + 2, Map.of())),
                table -> TestResolvers.lastWriteWins()).outcomes()).extracting(ChangeOutcome::status)
                .containsExactly(ChangeStatus.APPLIED);
    }
}
