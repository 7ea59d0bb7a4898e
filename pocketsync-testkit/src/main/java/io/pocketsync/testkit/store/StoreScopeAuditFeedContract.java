package io.pocketsync.testkit.store;

import static io.pocketsync.testkit.store.TestChanges.TABLE;
import static io.pocketsync.testkit.store.TestChanges.delete;
import static io.pocketsync.testkit.store.TestChanges.insert;
import static io.pocketsync.testkit.store.TestChanges.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.CommittedBatch;
import io.pocketsync.api.store.ScopeInfo;
import io.pocketsync.api.store.ServerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Part of the {@link AbstractServerStoreContractTest store contract}: scope isolation and info, pruning, the
 * audit log and the change feed.
 */
abstract class StoreScopeAuditFeedContract extends StorePagingContract {
    // ---------------------------------------------------------------- scopes, info, prune, audit

    @Test
    void scopesAreIsolated() {
        ServerStore store = open("node-1");
        Scope first = uniqueScope();
        Scope second = uniqueScope();
        store.apply(first, List.of(insert("c1", "r1", nextHlc(), row("owner", "first")),
                insert("c2", "r2", nextHlc(), row())), lww());
        BatchOutcome other = store.apply(second, List.of(insert("c1", "r1", nextHlc(), row("owner", "second"))), lww());

        // The same change id in another scope is not a duplicate, and sequences start at 1 again.
        assertThat(statuses(other)).containsExactly(ChangeStatus.APPLIED);
        assertThat(other.outcomes().get(0).sequence()).isEqualTo(1);
        assertThat(store.info(first).head()).isEqualTo(2);
        assertThat(store.info(second).head()).isEqualTo(1);
        assertThat(store.row(first, TABLE, "r1").orElseThrow().row()).isEqualTo(row("owner", "first"));
        assertThat(store.row(second, TABLE, "r1").orElseThrow().row()).isEqualTo(row("owner", "second"));
        assertThat(store.row(second, TABLE, "r2")).isEmpty();
        assertThat(store.page(second, 0, 10, true).rows()).extracting(RowState::globalId).containsExactly("r1");
        assertThat(store.scopes()).contains(first, second);
    }

    @Test
    void unknownScopeIsEmpty() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();

        assertThat(store.info(scope)).isEqualTo(new ScopeInfo(0, 0));
        assertThat(store.scopes()).doesNotContain(scope);
        assertThat(store.audit(scope, 0, 10)).isEmpty();
        assertThat(store.page(scope, 0, 10, false).rows()).isEmpty();
        assertThat(store.prune(scope, clock.instant())).isZero();
    }

    @Test
    void pruneRemovesOldTombstonesIdempotencyRecordsAndAuditAndRaisesTheHorizon() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        long older = nextHlc();
        store.apply(scope, List.of(
                insert("keep", "kept", nextHlc(), row("title", "kept")),
                insert("doomed", "gone", nextHlc(), row("title", "gone")),
                insert("winner", "contested", nextHlc(), row("title", "winner")),
                update("loser", "contested", older, row("title", "loser"))), lww());
        store.apply(scope, List.of(delete("kill", "gone", nextHlc())), lww());
        assertThat(store.audit(scope, 0, 10)).hasSize(1);
        Instant cut = clock.advance(Duration.ofHours(1));
        clock.advance(Duration.ofMinutes(1));
        store.apply(scope, List.of(insert("late", "late", nextHlc(), row()), delete("late-kill", "late", nextHlc()),
                update("late-loser", "contested", older, row("title", "late-loser"))), lww());

        assertThat(store.prune(scope, Instant.EPOCH)).isZero();
        long horizon = store.prune(scope, cut);

        assertThat(horizon).isEqualTo(4);
        assertThat(store.info(scope)).isEqualTo(new ScopeInfo(6, 4));
        assertThat(store.row(scope, TABLE, "gone")).isEmpty();
        assertThat(store.row(scope, TABLE, "late").orElseThrow().deleted()).isTrue();
        assertThat(store.row(scope, TABLE, "kept")).isPresent();
        assertThat(store.page(scope, 0, 100, true).rows()).extracting(RowState::globalId)
                .containsExactly("kept", "contested", "late");
        assertThat(store.audit(scope, 0, 10)).extracting(entry -> entry.change().changeId()).containsExactly("late-loser");
        // Idempotency records before the cut are gone, the later ones remain.
        assertThat(statuses(store.apply(scope, List.of(insert("keep", "kept", older, row())), lww())))
                .containsExactly(ChangeStatus.SUPERSEDED);
        assertThat(statuses(store.apply(scope, List.of(insert("late", "late", older, row())), lww())))
                .containsExactly(ChangeStatus.DUPLICATE);
        // The horizon never moves back.
        assertThat(store.prune(scope, Instant.EPOCH)).isEqualTo(4);
        assertThat(store.info(scope).horizon()).isEqualTo(4);
    }

    @Test
    void auditIsPagedByIdOldestFirst() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        long older = nextHlc();
        store.apply(scope, List.of(insert("winner", "r1", nextHlc(), row())), lww());
        for (int i = 0; i < 5; i++) {
            store.apply(scope, List.of(update("loser" + i, "r1", older, row("i", (long) i))), lww());
        }

        List<AuditEntry> firstPage = store.audit(scope, 0, 3);
        assertThat(firstPage).extracting(entry -> entry.change().changeId()).containsExactly("loser0", "loser1", "loser2");
        assertThat(firstPage).extracting(AuditEntry::id).isSorted().doesNotHaveDuplicates();
        List<AuditEntry> secondPage = store.audit(scope, firstPage.get(2).id(), 3);
        assertThat(secondPage).extracting(entry -> entry.change().changeId()).containsExactly("loser3", "loser4");
        assertThat(secondPage.get(0).id()).isGreaterThan(firstPage.get(2).id());
    }

    // ---------------------------------------------------------------- change feed

    @Test
    void feedDeliversEveryCommitWithItsRangeInCommitOrder() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        Scope otherScope = uniqueScope();
        RecordingFeedListener feed = new RecordingFeedListener();
        AutoCloseable subscription = store.subscribe(feed);
        long older = nextHlc();

        store.apply(scope, List.of(insert("c1", "r1", nextHlc(), row("n", 1L)), insert("c2", "r2", nextHlc(), row("n", 2L))),
                lww());
        store.apply(otherScope, List.of(insert("o1", "r1", nextHlc(), row("n", 9L))), lww());
        store.apply(scope, List.of(insert("c1", "r1", nextHlc(), row())), lww()); // only a duplicate: no commit event
        store.apply(scope, List.of(update("c3", "r1", older, row("n", -1L)), delete("c4", "r2", nextHlc()),
                update("c5", "r1", nextHlc(), row("n", 5L))), all(TestResolvers.stamping("merged", 1L)));

        await().untilAsserted(() -> assertThat(feed.batches(scope)).hasSize(2));
        List<CommittedBatch> batches = feed.batches(scope);
        assertThat(batches).allSatisfy(batch -> assertThat(batch.nodeId()).isEqualTo("node-1"));
        assertThat(batches).extracting(CommittedBatch::fromSequence, CommittedBatch::toSequence)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, 2L), org.assertj.core.groups.Tuple.tuple(2L, 4L));
        assertThat(batches.get(0).changes()).extracting(Change::changeId).containsExactly("c1", "c2");
        CommittedBatch last = batches.get(1);
        assertThat(last.changes()).extracting(Change::changeId).containsExactly("c4", "c5");
        assertThat(last.changes().get(0).op()).isEqualTo(Op.DELETE);
        assertThat(last.changes().get(1).row()).isEqualTo(row("n", 5L, "merged", 1L));
        assertThat(last.changes().get(1).hlc()).isEqualTo(store.row(scope, TABLE, "r1").orElseThrow().version().hlc());
        await().untilAsserted(() -> assertThat(feed.batches(otherScope)).singleElement()
                .satisfies(batch -> assertThat(batch.changes()).extracting(Change::changeId).containsExactly("o1")));

        // After closing the subscription, nothing more arrives (a second listener tells us delivery happened).
        RecordingFeedListener witness = new RecordingFeedListener();
        store.subscribe(witness);
        closeQuietly(subscription);
        store.apply(scope, List.of(insert("c6", "r6", nextHlc(), row())), lww());
        await().untilAsserted(() -> assertThat(witness.batches(scope)).hasSize(1));
        assertThat(feed.batches(scope)).hasSize(2);
    }

    @Test
    void feedOrderMatchesSequencesUnderConcurrentWriters() throws Exception {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        RecordingFeedListener feed = new RecordingFeedListener();
        store.subscribe(feed);

        runConcurrently(4, 10, (thread, i) -> List.of(
                insert("t" + thread + "-" + i + "-a", "r" + thread + "-" + i, nextHlc(), row("n", (long) i)),
                insert("t" + thread + "-" + i + "-b", "s" + thread + "-" + i, nextHlc(), row("n", (long) i))),
                store, scope);

        await().untilAsserted(() -> assertThat(feed.batches(scope)).hasSize(40));
        long expectedFrom = 0;
        for (CommittedBatch batch : feed.batches(scope)) {
            assertThat(batch.fromSequence()).isEqualTo(expectedFrom);
            assertThat(batch.toSequence() - batch.fromSequence()).isEqualTo(batch.changes().size());
            expectedFrom = batch.toSequence();
        }
        assertThat(expectedFrom).isEqualTo(80);
    }
}
