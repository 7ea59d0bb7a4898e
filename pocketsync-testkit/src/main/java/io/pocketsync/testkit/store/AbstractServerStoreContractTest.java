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
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Rows;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.model.Version;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.api.store.ChangeOutcome;
import io.pocketsync.api.store.CommittedBatch;
import io.pocketsync.api.store.ScopeInfo;
import io.pocketsync.api.store.ServerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
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
 */
public abstract class AbstractServerStoreContractTest {
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

    private long nextHlc() {
        return hlcs.addAndGet(1 << Hlc.LOGICAL_BITS);
    }

    private static Function<String, ConflictResolver> lww() {
        ConflictResolver resolver = TestResolvers.lastWriteWins();
        return table -> resolver;
    }

    private static Function<String, ConflictResolver> all(ConflictResolver resolver) {
        return table -> resolver;
    }

    private static List<ChangeStatus> statuses(BatchOutcome outcome) {
        return outcome.outcomes().stream().map(ChangeOutcome::status).toList();
    }

    private static Map<String, Object> row(Object... keysAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return row;
    }

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

    // ---------------------------------------------------------------- pages

    @Test
    void pagesAreBoundedOrderedBySequenceAndResumeFromTheirCursor() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        for (int i = 0; i < 10; i++) {
            store.apply(scope, List.of(insert("c" + i, "r" + i, nextHlc(), row("n", (long) i))), lww());
        }
        store.apply(scope, List.of(update("u3", "r3", nextHlc(), row("n", 33L)), update("u1", "r1", nextHlc(), row("n", 11L))),
                lww());

        List<RowState> read = new ArrayList<>();
        long cursor = 0;
        int pages = 0;
        while (true) {
            CatchUpPage page = store.page(scope, cursor, 3, true);
            pages++;
            assertThat(page.rows()).hasSizeLessThanOrEqualTo(3);
            for (RowState state : page.rows()) {
                assertThat(state.lastSequence()).isGreaterThan(cursor).isLessThanOrEqualTo(page.nextCursor());
            }
            assertThat(page.rows()).isSortedAccordingTo((a, b) -> Long.compare(a.lastSequence(), b.lastSequence()));
            assertThat(page.nextCursor()).isGreaterThanOrEqualTo(cursor);
            read.addAll(page.rows());
            cursor = page.nextCursor();
            if (!page.hasMore()) {
                break;
            }
        }
        assertThat(pages).isEqualTo(4);
        assertThat(cursor).isEqualTo(12);
        assertThat(read).extracting(RowState::globalId)
                .containsExactly("r0", "r2", "r4", "r5", "r6", "r7", "r8", "r9", "r3", "r1");
        assertThat(read).extracting(RowState::lastSequence).containsExactly(1L, 3L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
        assertThat(read.get(9).row()).isEqualTo(row("n", 11L));
        assertThat(read.get(9).firstSequence()).isEqualTo(2);

        CatchUpPage middle = store.page(scope, 10, 100, true);
        assertThat(middle.rows()).extracting(RowState::globalId).containsExactly("r3", "r1");
        assertThat(middle.hasMore()).isFalse();
    }

    @Test
    void pageAtTheHeadIsEmptyAndKeepsTheCursor() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        assertThat(store.page(scope, 0, 10, true)).isEqualTo(new CatchUpPage(List.of(), 0, false));
        store.apply(scope, List.of(insert("c1", "r1", nextHlc(), row())), lww());

        assertThat(store.page(scope, 1, 10, true)).isEqualTo(new CatchUpPage(List.of(), 1, false));
        assertThat(store.page(scope, 0, 1, true).hasMore()).isFalse();
    }

    @Test
    void pageWithoutDeletedRowsSkipsTombstones() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        for (int i = 0; i < 8; i++) {
            store.apply(scope, List.of(insert("c" + i, "r" + i, nextHlc(), row("n", (long) i))), lww());
        }
        for (int i = 0; i < 8; i += 2) {
            store.apply(scope, List.of(delete("d" + i, "r" + i, nextHlc())), lww());
        }

        List<RowState> live = new ArrayList<>();
        long cursor = 0;
        for (int guard = 0; guard < 100; guard++) {
            CatchUpPage page = store.page(scope, cursor, 2, false);
            assertThat(page.rows()).hasSizeLessThanOrEqualTo(2).noneMatch(RowState::deleted);
            live.addAll(page.rows());
            cursor = page.nextCursor();
            if (!page.hasMore()) {
                break;
            }
        }
        assertThat(live).extracting(RowState::globalId).containsExactly("r1", "r3", "r5", "r7");
        assertThat(store.page(scope, 0, 100, true).rows()).hasSize(8).filteredOn(RowState::deleted).hasSize(4);
    }

    @Test
    void pagesWithoutTombstonesAlwaysMoveForwardAndMissNothingEvenAmongManyTombstones() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        List<Change> batch = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            batch.add(insert("c" + i, "r" + i, nextHlc(), row("n", (long) i)));
        }
        store.apply(scope, batch, lww());
        List<Change> deletes = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            if (i % 20 != 7) {
                deletes.add(delete("d" + i, "r" + i, nextHlc()));
            }
        }
        store.apply(scope, deletes, lww());

        List<String> live = new ArrayList<>();
        long cursor = 0;
        for (int guard = 0; guard < 1000; guard++) {
            CatchUpPage page = store.page(scope, cursor, 2, false);
            assertThat(page.rows()).hasSizeLessThanOrEqualTo(2).noneMatch(RowState::deleted);
            for (RowState state : page.rows()) {
                assertThat(state.lastSequence()).isGreaterThan(cursor).isLessThanOrEqualTo(page.nextCursor());
            }
            if (page.hasMore()) {
                // an empty page is allowed, but only if it made progress
                assertThat(page.nextCursor()).isGreaterThan(cursor);
            }
            page.rows().forEach(state -> live.add(state.globalId()));
            cursor = page.nextCursor();
            if (!page.hasMore()) {
                break;
            }
        }
        assertThat(live).containsExactly("r7", "r27", "r47");
    }

    @Test
    void pageExposesFirstSequenceSoTheEngineCanDropRowsBornAndDiedAfterACursor() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        store.apply(scope, List.of(insert("c1", "old", nextHlc(), row("title", "old"))), lww());
        long deviceCursor = store.info(scope).head();
        store.apply(scope, List.of(insert("c2", "young", nextHlc(), row("title", "young"))), lww());
        store.apply(scope, List.of(delete("c3", "young", nextHlc()), delete("c4", "old", nextHlc())), lww());

        Map<String, RowState> page = store.page(scope, deviceCursor, 10, true).rows().stream()
                .collect(Collectors.toMap(RowState::globalId, state -> state));

        assertThat(page.get("young")).extracting(RowState::deleted, RowState::firstSequence).containsExactly(true, 2L);
        assertThat(page.get("young").firstSequence()).isGreaterThan(deviceCursor);
        assertThat(page.get("old")).extracting(RowState::deleted, RowState::firstSequence).containsExactly(true, 1L);
        assertThat(page.get("old").toChange(deviceCursor).op()).isEqualTo(Op.DELETE);
    }

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

    private static long pollUntilDone(ServerStore store, Scope scope, AtomicBoolean writersDone, Map<String, RowState> seen) {
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

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
