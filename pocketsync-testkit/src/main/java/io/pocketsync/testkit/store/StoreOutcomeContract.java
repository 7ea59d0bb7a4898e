package io.pocketsync.testkit.store;

import static io.pocketsync.testkit.store.TestChanges.DEVICE;
import static io.pocketsync.testkit.store.TestChanges.TABLE;
import static io.pocketsync.testkit.store.TestChanges.delete;
import static io.pocketsync.testkit.store.TestChanges.insert;
import static io.pocketsync.testkit.store.TestChanges.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.model.Version;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.ChangeOutcome;
import io.pocketsync.api.store.ScopeInfo;
import io.pocketsync.api.store.ServerStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Part of the {@link AbstractServerStoreContractTest store contract}: outcomes and row state (gap-free
 * sequences, tombstones and recreation, duplicates, empty batches).
 */
abstract class StoreOutcomeContract extends StoreContractFixture {
    // ---------------------------------------------------------------- outcomes and row state

    @Test
    void appliesNewRowsWithGapFreeSequences() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        long hlc = nextHlc();
        BatchOutcome outcome = store.apply(scope, List.of(
                insert("c1", "r1", hlc, row("title", "one")),
                insert("c2", "r2", hlc, row("title", "two")),
                insert("c3", "r3", hlc, row("title", "three"))), lww());

        assertThat(statuses(outcome)).containsExactly(ChangeStatus.APPLIED, ChangeStatus.APPLIED, ChangeStatus.APPLIED);
        assertThat(outcome.outcomes()).extracting(ChangeOutcome::sequence).containsExactly(1L, 2L, 3L);
        assertThat(outcome.outcomes()).extracting(ChangeOutcome::changeId).containsExactly("c1", "c2", "c3");
        assertThat(outcome.fromSequence()).isZero();
        assertThat(outcome.toSequence()).isEqualTo(3);
        assertThat(store.info(scope)).isEqualTo(new ScopeInfo(3, 0));

        RowState expected = new RowState(TABLE, "r2", row("title", "two"), false, new Version(new Hlc(hlc), DEVICE),
                Map.of(), "c2", 2, 2);
        assertThat(store.row(scope, TABLE, "r2")).contains(expected);
        assertThat(outcome.outcomes().get(1).state()).isEqualTo(expected);
        assertThat(store.row(scope, TABLE, "missing")).isEmpty();
        assertThat(store.row(scope, "other_table", "r2")).isEmpty();
    }

    @Test
    void updateMovesLastSequenceAndKeepsFirst() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        store.apply(scope, List.of(insert("c1", "r1", nextHlc(), row("title", "one"))), lww());
        store.apply(scope, List.of(insert("c2", "r2", nextHlc(), row("title", "two"))), lww());
        long hlc = nextHlc();
        BatchOutcome outcome = store.apply(scope, List.of(update("c3", "r1", hlc, row("title", "uno"))), lww());

        assertThat(outcome.outcomes().get(0).sequence()).isEqualTo(3);
        assertThat(outcome.fromSequence()).isEqualTo(2);
        assertThat(outcome.toSequence()).isEqualTo(3);
        RowState state = store.row(scope, TABLE, "r1").orElseThrow();
        assertThat(state.row()).isEqualTo(row("title", "uno"));
        assertThat(state.firstSequence()).isEqualTo(1);
        assertThat(state.lastSequence()).isEqualTo(3);
        assertThat(state.lastChangeId()).isEqualTo("c3");
        assertThat(state.version()).isEqualTo(new Version(new Hlc(hlc), DEVICE));
    }

    @Test
    void deleteLeavesTombstoneAndRecreationKeepsFirstSequence() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        store.apply(scope, List.of(insert("c1", "r1", nextHlc(), row("title", "one"))), lww());
        store.apply(scope, List.of(delete("c2", "r1", nextHlc())), lww());

        RowState tombstone = store.row(scope, TABLE, "r1").orElseThrow();
        assertThat(tombstone.deleted()).isTrue();
        assertThat(tombstone.row()).isEmpty();
        assertThat(tombstone.firstSequence()).isEqualTo(1);
        assertThat(tombstone.lastSequence()).isEqualTo(2);

        // A second delete of a tombstone keeps firstSequence: the row existed before a cursor of 1.
        store.apply(scope, List.of(delete("c3", "r1", nextHlc())), lww());
        assertThat(store.row(scope, TABLE, "r1").orElseThrow())
                .extracting(RowState::deleted, RowState::firstSequence, RowState::lastSequence)
                .containsExactly(true, 1L, 3L);

        store.apply(scope, List.of(insert("c4", "r1", nextHlc(), row("title", "again"))), lww());
        RowState recreated = store.row(scope, TABLE, "r1").orElseThrow();
        assertThat(recreated.deleted()).isFalse();
        assertThat(recreated.row()).isEqualTo(row("title", "again"));
        // firstSequence is the change that FIRST created the row: never reset by a recreation.
        assertThat(recreated.firstSequence()).isEqualTo(1);
        assertThat(recreated.lastSequence()).isEqualTo(4);
    }

    @Test
    void anAppliedOutcomeSaysTheSequenceOfTheStateItReplaced() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        BatchOutcome first = store.apply(scope, List.of(
                insert("c1", "r1", nextHlc(), row("title", "one")),
                update("c2", "r1", nextHlc(), row("title", "uno")),
                insert("c3", "r2", nextHlc(), row("title", "two"))), lww());
        // a new row: 0; a row an earlier change of the same batch wrote: that change's sequence
        assertThat(first.outcomes()).extracting(ChangeOutcome::previous).containsExactly(0L, 1L, 0L);

        BatchOutcome second = store.apply(scope, List.of(
                update("c4", "r1", nextHlc(), row("title", "eins")),
                delete("c5", "r2", nextHlc()),
                insert("c6", "r2", nextHlc(), row("title", "again")),
                update("c7", "r1", 1, row("title", "too old")),
                insert("c1", "r1", nextHlc(), row("title", "re-sent"))), lww());
        // a stored state: its last sequence; a tombstone counts as a state; anything not APPLIED says nothing
        assertThat(statuses(second)).containsExactly(ChangeStatus.APPLIED, ChangeStatus.APPLIED, ChangeStatus.APPLIED,
                ChangeStatus.SUPERSEDED, ChangeStatus.DUPLICATE);
        assertThat(second.outcomes()).extracting(ChangeOutcome::previous).containsExactly(2L, 3L, 5L,
                ChangeResult.PREVIOUS_UNKNOWN, ChangeResult.PREVIOUS_UNKNOWN);
    }

    @Test
    void theReplacedSequenceMovesWithTheBatchWhenAnotherNodeMovedTheHead() {
        ServerStore first = open("node-1");
        ServerStore second = open("node-2");
        Scope scope = uniqueScope();
        first.apply(scope, List.of(insert("c1", "r1", nextHlc(), row("title", "one"))), lww());
        second.apply(scope, List.of(insert("c2", "r2", nextHlc(), row("title", "two"))), lww());
        second.apply(scope, List.of(insert("c3", "r3", nextHlc(), row("title", "three"))), lww());

        // new rows only: a store may plan them against the head it saw last (1) and learn the real one (3) writing
        BatchOutcome outcome = first.apply(scope, List.of(
                insert("c4", "r4", nextHlc(), row("title", "four")),
                update("c5", "r4", nextHlc(), row("title", "vier"))), lww());

        assertThat(outcome.outcomes()).extracting(ChangeOutcome::sequence).containsExactly(4L, 5L);
        assertThat(outcome.outcomes()).extracting(ChangeOutcome::previous).containsExactly(0L, 4L);
    }

    @Test
    void rowThatExistedAtACursorThenWasDeletedRecreatedAndDeletedAgainIsADeleteForThatCursor() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        store.apply(scope, List.of(insert("c1", "r1", nextHlc(), row("title", "one"))), lww());
        long deviceCursor = store.info(scope).head();
        store.apply(scope, List.of(delete("c2", "r1", nextHlc())), lww());
        store.apply(scope, List.of(insert("c3", "r1", nextHlc(), row("title", "again"))), lww());
        store.apply(scope, List.of(delete("c4", "r1", nextHlc())), lww());

        RowState tombstone = store.page(scope, deviceCursor, 10, true).rows().stream().filter(s -> s.globalId().equals("r1"))
                .findFirst().orElseThrow();
        // Catch-up drops a tombstone with firstSequence > cursor as "born and died after the cursor": this one
        // must not be dropped, or the device keeps the row it had at the cursor.
        assertThat(tombstone.deleted()).isTrue();
        assertThat(tombstone.firstSequence()).isEqualTo(1).isLessThanOrEqualTo(deviceCursor);
        assertThat(tombstone.lastSequence()).isEqualTo(4);
        assertThat(tombstone.toChange(deviceCursor).op()).isEqualTo(Op.DELETE);
    }

    @Test
    void feedSaysInsertWhenAChangeBringsARowBackToLife() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        RecordingFeedListener feed = new RecordingFeedListener();
        store.subscribe(feed);
        store.apply(scope, List.of(insert("c1", "r1", nextHlc(), row("n", 1L))), lww());
        store.apply(scope, List.of(update("c2", "r1", nextHlc(), row("n", 2L)), delete("c3", "r1", nextHlc())), lww());
        store.apply(scope, List.of(update("c4", "r1", nextHlc(), row("n", 4L)), update("c5", "r1", nextHlc(), row("n", 5L))),
                lww());

        await().untilAsserted(() -> assertThat(feed.batches(scope)).hasSize(3));
        assertThat(feed.batches(scope).stream().flatMap(batch -> batch.changes().stream()).map(Change::op))
                .containsExactly(Op.INSERT, Op.UPDATE, Op.DELETE, Op.INSERT, Op.UPDATE);
        assertThat(store.row(scope, TABLE, "r1").orElseThrow())
                .extracting(RowState::firstSequence, RowState::lastSequence).containsExactly(1L, 5L);
    }

    @Test
    void deleteOfUnknownRowIsStoredAsTombstone() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        BatchOutcome outcome = store.apply(scope, List.of(delete("c1", "ghost", nextHlc())), lww());

        assertThat(statuses(outcome)).containsExactly(ChangeStatus.APPLIED);
        assertThat(store.row(scope, TABLE, "ghost").orElseThrow())
                .extracting(RowState::deleted, RowState::firstSequence, RowState::lastSequence)
                .containsExactly(true, 1L, 1L);
    }

    @Test
    void insertOfARowTheStoreAlreadyHasIsResolvedAgainstTheStoredRow() {
        // A device's INSERT almost always creates a row the store has never seen, and a store may write on that
        // bet without reading first; it must notice when the row is there after all (the same global id from
        // another device, a re-created tombstone) and leave nothing of the bet behind.
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        long older = nextHlc();
        store.apply(scope, List.of(insert("c1", "r1", nextHlc(), row("title", "first")), insert("c2", "gone", nextHlc(), row()),
                delete("c3", "gone", nextHlc())), lww());
        RowState first = store.row(scope, TABLE, "r1").orElseThrow();

        List<Change> batch = List.of(insert("c4", "new", nextHlc(), row("title", "new")),
                insert("c5", "r1", older, row("title", "late")),
                insert("c6", "gone", nextHlc(), row("title", "back")));
        BatchOutcome outcome = store.apply(scope, batch, lww());

        assertThat(statuses(outcome)).containsExactly(ChangeStatus.APPLIED, ChangeStatus.SUPERSEDED, ChangeStatus.APPLIED);
        assertThat(outcome.outcomes()).extracting(ChangeOutcome::sequence).containsExactly(4L, 0L, 5L);
        assertThat(outcome.outcomes().get(1).state()).isEqualTo(first);
        assertThat(store.row(scope, TABLE, "r1")).contains(first);
        assertThat(store.row(scope, TABLE, "gone").orElseThrow())
                .extracting(RowState::deleted, RowState::firstSequence, RowState::lastSequence, RowState::row)
                .containsExactly(false, 2L, 5L, row("title", "back"));
        assertThat(store.info(scope).head()).isEqualTo(5);
        // Every change of the batch was recorded exactly once.
        assertThat(statuses(store.apply(scope, batch, lww())))
                .containsExactly(ChangeStatus.DUPLICATE, ChangeStatus.DUPLICATE, ChangeStatus.DUPLICATE);
        assertThat(store.info(scope).head()).isEqualTo(5);
        assertThat(store.audit(scope, 0, 10)).extracting(entry -> entry.change().changeId()).containsExactly("c5");
    }

    @Test
    void changeAlreadyStoredIsDuplicate() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        Change change = insert("c1", "r1", nextHlc(), row("title", "one"));
        store.apply(scope, List.of(change), lww());

        BatchOutcome again = store.apply(scope, List.of(change, insert("c2", "r2", nextHlc(), row("title", "two"))), lww());

        assertThat(statuses(again)).containsExactly(ChangeStatus.DUPLICATE, ChangeStatus.APPLIED);
        assertThat(again.outcomes().get(0)).isEqualTo(ChangeOutcome.duplicate("c1"));
        assertThat(again.outcomes().get(1).sequence()).isEqualTo(2);
        assertThat(store.info(scope).head()).isEqualTo(2);
        assertThat(store.row(scope, TABLE, "r1").orElseThrow().lastSequence()).isEqualTo(1);
    }

    @Test
    void batchOfOnlyDuplicatesChangesNothing() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        Change change = insert("c1", "r1", nextHlc(), row("title", "one"));
        store.apply(scope, List.of(change, insert("c2", "r2", nextHlc(), row())), lww());

        BatchOutcome again = store.apply(scope, List.of(change), lww());

        assertThat(statuses(again)).containsExactly(ChangeStatus.DUPLICATE);
        assertThat(again.fromSequence()).isEqualTo(2);
        assertThat(again.toSequence()).isEqualTo(2);
        assertThat(store.info(scope).head()).isEqualTo(2);
    }

    @Test
    void emptyBatchChangesNothingAndReportsTheCurrentHead() {
        ServerStore first = open("node-1");
        ServerStore second = open("node-2");
        Scope scope = uniqueScope();
        first.apply(scope, List.of(insert("c1", "r1", nextHlc(), row())), lww());
        second.apply(scope, List.of(insert("c2", "r2", nextHlc(), row()), insert("c3", "r3", nextHlc(), row())), lww());

        BatchOutcome outcome = first.apply(scope, List.of(), lww());

        assertThat(outcome.outcomes()).isEmpty();
        assertThat(outcome.fromSequence()).isEqualTo(3);
        assertThat(outcome.toSequence()).isEqualTo(3);
        assertThat(first.info(scope).head()).isEqualTo(3);
    }

    @Test
    void changeRepeatedInsideBatchIsDuplicate() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        Change change = insert("c1", "r1", nextHlc(), row("title", "one"));

        BatchOutcome outcome = store.apply(scope, List.of(change, change), lww());

        assertThat(statuses(outcome)).containsExactly(ChangeStatus.APPLIED, ChangeStatus.DUPLICATE);
        assertThat(outcome.toSequence()).isEqualTo(1);
        assertThat(store.info(scope).head()).isEqualTo(1);
    }
}
