package io.pocketsync.testkit.store;

import static io.pocketsync.testkit.store.TestChanges.DEVICE;
import static io.pocketsync.testkit.store.TestChanges.TABLE;
import static io.pocketsync.testkit.store.TestChanges.delete;
import static io.pocketsync.testkit.store.TestChanges.insert;
import static io.pocketsync.testkit.store.TestChanges.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Rows;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.ChangeOutcome;
import io.pocketsync.api.store.CommittedBatch;
import io.pocketsync.api.store.ServerStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Part of the {@link AbstractServerStoreContractTest store contract}: conflict resolution within and across
 * batches (superseded and rejected changes, resolver failures), and row images stored and returned exactly.
 */
abstract class StoreResolutionContract extends StoreOutcomeContract {
    @Test
    void olderChangeIsSupersededWithTheWinningStateAndAudited() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        long older = nextHlc();
        long newer = nextHlc();
        store.apply(scope, List.of(insert("new", "r1", newer, row("title", "newer"))), lww());

        BatchOutcome outcome = store.apply(scope, List.of(update("old", "r1", older, row("title", "older"))), lww());

        RowState winner = store.row(scope, TABLE, "r1").orElseThrow();
        assertThat(outcome.outcomes()).containsExactly(ChangeOutcome.superseded("old", winner));
        assertThat(winner.row()).isEqualTo(row("title", "newer"));
        assertThat(outcome.fromSequence()).isEqualTo(1);
        assertThat(outcome.toSequence()).isEqualTo(1);
        assertThat(store.info(scope).head()).isEqualTo(1);

        List<AuditEntry> audit = store.audit(scope, 0, 10);
        assertThat(audit).hasSize(1);
        AuditEntry entry = audit.get(0);
        assertThat(entry.status()).isEqualTo(ChangeStatus.SUPERSEDED);
        assertThat(entry.change()).isEqualTo(update("old", "r1", older, row("title", "older")));
        assertThat(entry.winnerChangeId()).isEqualTo("new");
        assertThat(entry.errorCode()).isNull();
        assertThat(entry.at()).isEqualTo(clock.instant());

        // A superseded change was processed: re-sending it is a duplicate, not a second audit entry.
        BatchOutcome resent = store.apply(scope, List.of(update("old", "r1", older, row("title", "older"))), lww());
        assertThat(statuses(resent)).containsExactly(ChangeStatus.DUPLICATE);
        assertThat(store.audit(scope, 0, 10)).hasSize(1);
    }

    /**
     * The ACK sends the device the stored result when a change was applied over a row that was not older than it,
     * and learns that only from the outcome: a store carries the resolution's {@code overridesLater} as decided,
     * also within one batch and however often it called the resolver.
     */
    @Test
    void appliedOutcomeSaysWhetherTheChangeOverrodeALaterRow() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        long older = nextHlc();
        long newer = nextHlc();
        long newest = nextHlc();
        store.apply(scope, List.of(insert("new", "r1", newer, row("title", "newer"))), lww());

        BatchOutcome outcome = store.apply(scope, List.of(
                update("old", "r1", older, row("title", "older")),
                update("newest", "r1", newest, row("title", "newest")),
                insert("fresh", "r2", older, row("title", "fresh"))), all(TestResolvers.clientWins()));

        assertThat(statuses(outcome)).containsOnly(ChangeStatus.APPLIED);
        assertThat(outcome.outcomes()).extracting(ChangeOutcome::overridesLater).containsExactly(true, false, false);
        assertThat(store.row(scope, TABLE, "r1").orElseThrow().row()).isEqualTo(row("title", "newest"));
    }

    @Test
    void rejectedChangeIsAnOutcomeAndTheRestOfTheBatchApplies() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        long hlc = nextHlc();

        BatchOutcome outcome = store.apply(scope, List.of(
                insert("c1", "r1", hlc, row("title", "one")),
                insert("c2", "r2", hlc, row("title", "two", TestResolvers.REJECT_COLUMN, 1L)),
                insert("c3", "r3", hlc, row("title", "three"))), all(TestResolvers.rejectingMarked()));

        assertThat(statuses(outcome)).containsExactly(ChangeStatus.APPLIED, ChangeStatus.REJECTED, ChangeStatus.APPLIED);
        assertThat(outcome.outcomes().get(1))
                .isEqualTo(ChangeOutcome.rejected("c2", ErrorCode.RESOLVER_REJECTED, "marked for rejection"));
        assertThat(outcome.outcomes()).extracting(ChangeOutcome::sequence).containsExactly(1L, 0L, 2L);
        assertThat(outcome.toSequence()).isEqualTo(2);
        assertThat(store.row(scope, TABLE, "r2")).isEmpty();
        assertThat(store.row(scope, TABLE, "r3").orElseThrow().lastSequence()).isEqualTo(2);

        List<AuditEntry> audit = store.audit(scope, 0, 10);
        assertThat(audit).singleElement().satisfies(entry -> {
            assertThat(entry.status()).isEqualTo(ChangeStatus.REJECTED);
            assertThat(entry.change().changeId()).isEqualTo("c2");
            assertThat(entry.errorCode()).isEqualTo(ErrorCode.RESOLVER_REJECTED);
            assertThat(entry.reason()).isEqualTo("marked for rejection");
            assertThat(entry.winnerChangeId()).isNull();
        });
    }

    @Test
    void aReadOnlyRefusalCarriesTheStoredRowAndIsAudited() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        store.apply(scope, List.of(insert("c1", "r1", nextHlc(), row("title", "stored"))), lww());
        RowState stored = store.row(scope, TABLE, "r1").orElseThrow();

        // what the engine's resolver answers every change of a read-only session
        BatchOutcome outcome = store.apply(scope, List.of(update("c2", "r1", nextHlc(), row("title", "local")),
                insert("c3", "r2", nextHlc(), row("title", "new"))),
                all((current, incoming) -> io.pocketsync.api.conflict.Resolution.reject(ErrorCode.SCOPE_READ_ONLY, "read only")));

        assertThat(statuses(outcome)).containsExactly(ChangeStatus.REJECTED, ChangeStatus.REJECTED);
        assertThat(outcome.outcomes()).extracting(ChangeOutcome::errorCode).containsOnly(ErrorCode.SCOPE_READ_ONLY);
        assertThat(outcome.outcomes().get(0).state()).isEqualTo(stored);
        assertThat(outcome.outcomes().get(1).state()).isNull();
        assertThat(store.row(scope, TABLE, "r1").orElseThrow()).isEqualTo(stored);
        assertThat(store.row(scope, TABLE, "r2")).isEmpty();
        assertThat(store.info(scope).head()).isEqualTo(1);
        assertThat(store.audit(scope, 0, 10)).extracting(AuditEntry::errorCode).containsOnly(ErrorCode.SCOPE_READ_ONLY).hasSize(2);
    }

    @Test
    void laterChangesOfABatchSeeTheEffectOfEarlierOnes() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        long first = nextHlc();
        long second = nextHlc();
        long third = nextHlc();

        BatchOutcome outcome = store.apply(scope, List.of(
                insert("c1", "r1", first, row("title", "one")),
                update("c2", "r1", third, row("title", "three")),
                update("c3", "r1", second, row("title", "two"))), lww());

        assertThat(statuses(outcome)).containsExactly(ChangeStatus.APPLIED, ChangeStatus.APPLIED, ChangeStatus.SUPERSEDED);
        RowState state = store.row(scope, TABLE, "r1").orElseThrow();
        assertThat(state.row()).isEqualTo(row("title", "three"));
        assertThat(state.firstSequence()).isEqualTo(1);
        assertThat(state.lastSequence()).isEqualTo(2);
        assertThat(outcome.outcomes().get(2).state()).isEqualTo(state);
        assertThat(outcome.outcomes().get(0).state().lastSequence()).isEqualTo(1);
        assertThat(store.audit(scope, 0, 10)).singleElement()
                .satisfies(entry -> assertThat(entry.winnerChangeId()).isEqualTo("c2"));
    }

    @Test
    void createAndDeleteInOneBatchLeavesATombstoneBornInThatBatch() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        store.apply(scope, List.of(insert("c0", "other", nextHlc(), row())), lww());

        store.apply(scope, List.of(insert("c1", "r1", nextHlc(), row("title", "x")), delete("c2", "r1", nextHlc())), lww());

        assertThat(store.row(scope, TABLE, "r1").orElseThrow())
                .extracting(RowState::deleted, RowState::firstSequence, RowState::lastSequence)
                .containsExactly(true, 2L, 3L);
    }

    @Test
    void resolverFailureMidBatchStoresNothing() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        RecordingFeedListener feed = new RecordingFeedListener();
        store.subscribe(feed);
        store.apply(scope, List.of(insert("c0", "r0", nextHlc(), row("title", "zero"))), lww());
        long hlc = nextHlc();
        List<Change> batch = List.of(
                update("c1", "r0", hlc, row("title", "changed")),
                insert("c2", "r2", hlc, row("title", "two")),
                insert("c3", "r3", hlc, row("title", "three")));

        assertThatThrownBy(() -> store.apply(scope, batch, all(TestResolvers.failingOn("c3"))))
                .isInstanceOf(PocketSyncException.class);

        assertThat(store.info(scope).head()).isEqualTo(1);
        assertThat(store.row(scope, TABLE, "r0").orElseThrow().row()).isEqualTo(row("title", "zero"));
        assertThat(store.row(scope, TABLE, "r2")).isEmpty();
        assertThat(store.page(scope, 0, 10, true).rows()).hasSize(1);
        assertThat(store.audit(scope, 0, 10)).isEmpty();

        // Nothing of the failed batch was recorded as processed: the retry applies every change.
        BatchOutcome retry = store.apply(scope, batch, lww());
        assertThat(statuses(retry)).containsOnly(ChangeStatus.APPLIED);
        assertThat(retry.outcomes()).extracting(ChangeOutcome::sequence).containsExactly(2L, 3L, 4L);
        await().untilAsserted(() -> assertThat(feed.batches(scope))
                .extracting(CommittedBatch::fromSequence, CommittedBatch::toSequence)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, 1L), org.assertj.core.groups.Tuple.tuple(1L, 4L)));
    }

    @Test
    void rowImagesAndColumnVersionsRoundTripExactly() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("max", Long.MAX_VALUE);
        image.put("min", Long.MIN_VALUE);
        image.put("zero", 0L);
        image.put("big-odd", 9_007_199_254_740_993L);
        image.put("one-point-zero", 1.0d);
        image.put("tenth", 0.1d);
        image.put("negative-zero", -0.0d);
        image.put("huge", 1e300d);
        image.put("tiny", Double.MIN_VALUE);
        image.put("infinity", Double.POSITIVE_INFINITY);
        image.put("minus-infinity", Double.NEGATIVE_INFINITY);
        image.put("not-a-number", Double.NaN);
        image.put("text", "h\u00e9llo \"w\u00f6rld\" \u2603 \ud83d\ude00 \\ \n\t");
        image.put("empty", "");
        image.put("looks-numeric", "42");
        image.put("looks-like-marker", "{\"$b\":\"AAE=\"}");
        image.put("nothing", null);
        image.put("blob", new byte[] {0, 1, -1, 127, -128});
        image.put("empty-blob", new byte[0]);
        image.put("col with \"quotes\" and spaces", 7L);
        Change change = insert("c1", "r1", nextHlc(), image);

        store.apply(scope, List.of(change), all(TestResolvers.lastWriteWinsWithColumnVersions()));

        RowState state = store.row(scope, TABLE, "r1").orElseThrow();
        assertThat(Rows.rowEquals(state.row(), image)).as("row image %s", state.row()).isTrue();
        assertThat(state.row().get("max")).isInstanceOf(Long.class);
        assertThat(state.row().get("zero")).isInstanceOf(Long.class);
        assertThat(state.row().get("one-point-zero")).isInstanceOf(Double.class);
        assertThat(state.row().get("negative-zero")).isEqualTo(-0.0d);
        assertThat(state.row().get("blob")).isEqualTo(new byte[] {0, 1, -1, 127, -128});
        assertThat(state.row()).containsKey("nothing");
        assertThat(state.columnVersions()).hasSize(image.size())
                .containsEntry("blob", change.version());
        assertThat(store.page(scope, 0, 10, true).rows()).containsExactly(state);
    }

    @Test
    void mergedImageFromTheResolverIsStoredAndReturned() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        BatchOutcome outcome = store.apply(scope, List.of(insert("c1", "r1", nextHlc(), row("title", "one"))),
                all(TestResolvers.stamping("merged", 1L)));

        assertThat(outcome.outcomes().get(0).state().row()).isEqualTo(row("title", "one", "merged", 1L));
        assertThat(store.row(scope, TABLE, "r1").orElseThrow().row()).isEqualTo(row("title", "one", "merged", 1L));
    }

    @Test
    void tablesAreSeparateNamespacesForGlobalIds() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        long hlc = nextHlc();
        store.apply(scope, List.of(
                TestChanges.change("c1", "todo", "same", Op.INSERT, hlc, DEVICE, row("v", 1L)),
                TestChanges.change("c2", "note", "same", Op.INSERT, hlc, DEVICE, row("v", 2L)),
                TestChanges.change("c3", "to", "dosame", Op.INSERT, hlc, DEVICE, row("v", 3L))), lww());

        assertThat(store.row(scope, "todo", "same").orElseThrow().row()).isEqualTo(row("v", 1L));
        assertThat(store.row(scope, "note", "same").orElseThrow().row()).isEqualTo(row("v", 2L));
        assertThat(store.row(scope, "to", "dosame").orElseThrow().row()).isEqualTo(row("v", 3L));
    }
}
