package io.pocketsync.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.ChangeOutcome;
import io.pocketsync.api.store.ServerStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The unique-claim part of the {@link ServerStore} contract ({@link io.pocketsync.api.store.UniqueClaims}): a value of
 * a UNIQUE constraint named in {@link Change#uniqueKeys()} is held by one live row per scope, the first to commit it.
 * A store's test extends this class and implements {@link #newStore}, like {@link AbstractServerStoreContractTest}:
 * every call within one test returns a store over the same data (another node, or the same file opened again).
 */
public abstract class AbstractUniqueClaimsContractTest extends StoreContractFixture {
    private static final String USERS = "users";
    private static final List<List<String>> EMAIL = List.of(List.of("email"));
    private static final Function<String, ConflictResolver> LWW = table -> TestResolvers.lastWriteWins();

    private final AtomicLong hlcs = new AtomicLong(Hlc.of(1_900_000_000_000L, 0).value());
    private final Scope scope = Scope.of("claims-" + UUID.randomUUID());

    private Change user(String changeId, String gid, Op op, Map<String, Object> row, List<List<String>> keys) {
        return new Change(changeId, USERS, gid, op, op == Op.DELETE ? Map.of() : row, List.of(),
                new Hlc(hlcs.addAndGet(1 << Hlc.LOGICAL_BITS)), "device-" + gid, keys);
    }

    private Change insert(String changeId, String gid, String email) {
        return user(changeId, gid, Op.INSERT, row("id", gid, "email", email), EMAIL);
    }

    private static void assertConflict(ChangeOutcome outcome) {
        assertThat(outcome.status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(outcome.errorCode()).isEqualTo(ErrorCode.UNIQUE_CONFLICT);
        assertThat(outcome.reason()).contains("email");
    }

    @Test
    void aSecondRowClaimingAHeldValueIsRejectedAuditedAndNotStored() {
        ServerStore store = open("node-1");
        assertThat(statuses(store.apply(scope, List.of(insert("c1", "a1", "x@")), LWW))).containsExactly(ChangeStatus.APPLIED);

        BatchOutcome second = store.apply(scope, List.of(insert("c2", "b1", "x@")), LWW);

        assertConflict(second.outcomes().get(0));
        assertThat(second.toSequence()).isEqualTo(second.fromSequence());
        assertThat(store.row(scope, USERS, "b1")).isEmpty();
        assertThat(store.audit(scope, 0, 10)).extracting(AuditEntry::errorCode).containsExactly(ErrorCode.UNIQUE_CONFLICT);
        // the holder may write its own value again
        assertThat(statuses(store.apply(scope, List.of(user("c3", "a1", Op.UPDATE, row("id", "a1", "email", "x@", "n", 2L),
                EMAIL)), LWW))).containsExactly(ChangeStatus.APPLIED);
    }

    @Test
    void aDeleteReleasesItsClaims() {
        ServerStore store = open("node-1");
        store.apply(scope, List.of(insert("c1", "a1", "x@")), LWW);
        store.apply(scope, List.of(user("c2", "a1", Op.DELETE, Map.of(), EMAIL)), LWW);

        assertThat(statuses(store.apply(scope, List.of(insert("c3", "b1", "x@")), LWW))).containsExactly(ChangeStatus.APPLIED);
    }

    @Test
    void anUpdateMovesItsClaimToTheNewValue() {
        ServerStore store = open("node-1");
        store.apply(scope, List.of(insert("c1", "a1", "x@")), LWW);
        store.apply(scope, List.of(user("c2", "a1", Op.UPDATE, row("id", "a1", "email", "y@"), EMAIL)), LWW);

        BatchOutcome outcome = store.apply(scope, List.of(insert("c3", "b1", "x@"), insert("c4", "c1", "y@")), LWW);

        assertThat(outcome.outcomes().get(0).status()).isEqualTo(ChangeStatus.APPLIED);
        assertConflict(outcome.outcomes().get(1));
    }

    @Test
    void nullClaimsNothingAndTypesAreCompared() {
        ServerStore store = open("node-1");
        Map<String, Object> noEmail = new HashMap<>();
        noEmail.put("email", null);
        BatchOutcome outcome = store.apply(scope, List.of(
                user("c1", "a1", Op.INSERT, noEmail, EMAIL),
                user("c2", "b1", Op.INSERT, noEmail, EMAIL),
                user("c3", "c1", Op.INSERT, row("email", 1L), EMAIL),
                user("c4", "d1", Op.INSERT, row("email", "1"), EMAIL),
                user("c5", "e1", Op.INSERT, row("email", 1.0), EMAIL)), LWW);

        assertThat(statuses(outcome)).containsExactly(ChangeStatus.APPLIED, ChangeStatus.APPLIED, ChangeStatus.APPLIED,
                ChangeStatus.APPLIED, ChangeStatus.REJECTED);
    }

    @Test
    void compositeSetsClaimTheirValuesTogether() {
        ServerStore store = open("node-1");
        List<List<String>> keys = List.of(List.of("a", "b"), List.of("code"));
        Map<String, Object> partial = new HashMap<>(row("a", 1L, "code", "p"));
        partial.put("b", null);
        BatchOutcome outcome = store.apply(scope, List.of(
                user("c1", "r1", Op.INSERT, row("a", 1L, "b", 2L, "code", "k"), keys),
                user("c2", "r2", Op.INSERT, row("a", 1L, "b", 3L, "code", "l"), keys),
                user("c3", "r3", Op.INSERT, partial, keys),
                user("c4", "r4", Op.INSERT, row("a", 1L, "b", 2L, "code", "m"), keys),
                user("c5", "r5", Op.INSERT, row("a", 9L, "b", 9L, "code", "k"), keys)), LWW);

        assertThat(statuses(outcome)).containsExactly(ChangeStatus.APPLIED, ChangeStatus.APPLIED, ChangeStatus.APPLIED,
                ChangeStatus.REJECTED, ChangeStatus.REJECTED);
    }

    @Test
    void aBatchSeesItsOwnClaimsAndReleases() {
        ServerStore store = open("node-1");
        store.apply(scope, List.of(insert("c1", "a1", "x@")), LWW);

        BatchOutcome outcome = store.apply(scope, List.of(
                user("c2", "a1", Op.UPDATE, row("id", "a1", "email", "old@"), EMAIL),
                insert("c3", "b1", "x@"),
                insert("c4", "c1", "x@")), LWW);

        assertThat(statuses(outcome)).containsExactly(ChangeStatus.APPLIED, ChangeStatus.APPLIED, ChangeStatus.REJECTED);
        assertThat(store.row(scope, USERS, "b1")).map(RowState::row).contains(row("id", "b1", "email", "x@"));
    }

    @Test
    void aColumnMissingFromAnImageKeepsTheClaimAndAStaleClaimIsTakenOver() {
        ServerStore store = open("node-1");
        store.apply(scope, List.of(insert("c1", "a1", "x@"), insert("c2", "b1", "y@")), LWW);
        // an older device's image without the column: the value is unchanged, so still claimed
        store.apply(scope, List.of(user("c3", "a1", Op.UPDATE, row("id", "a1"), EMAIL)), LWW);
        assertConflict(store.apply(scope, List.of(insert("c4", "c1", "x@")), LWW).outcomes().get(0));
        // a device that does not send the sets changes the value: the old claim is stale and taken over
        store.apply(scope, List.of(user("c5", "b1", Op.UPDATE, row("id", "b1", "email", "z@"), List.of())), LWW);

        assertThat(statuses(store.apply(scope, List.of(insert("c6", "d1", "y@")), LWW))).containsExactly(ChangeStatus.APPLIED);
    }

    @Test
    void scopesClaimIndependently() {
        ServerStore store = open("node-1");
        Scope other = Scope.of(scope.name() + "-other");
        store.apply(scope, List.of(insert("c1", "a1", "x@")), LWW);

        assertThat(statuses(store.apply(other, List.of(insert("c2", "b1", "x@")), LWW))).containsExactly(ChangeStatus.APPLIED);
    }

    @Test
    void concurrentBatchesOnTwoStoresLeaveOneHolderPerValue() throws Exception {
        List<ServerStore> stores = List.of(open("node-1"), open("node-2"));
        int rows = 40;
        int values = 8;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<BatchOutcome>> futures = new ArrayList<>();
            for (int i = 0; i < rows; i++) {
                ServerStore store = stores.get(i % 2);
                Change change = insert("c" + i, "r" + i, "v" + (i % values) + "@");
                futures.add(pool.submit(() -> store.apply(scope, List.of(change), LWW)));
            }
            Map<String, Integer> appliedPerValue = new HashMap<>();
            for (int i = 0; i < rows; i++) {
                ChangeOutcome outcome = futures.get(i).get(60, TimeUnit.SECONDS).outcomes().get(0);
                if (outcome.status() == ChangeStatus.APPLIED) {
                    appliedPerValue.merge("v" + (i % values) + "@", 1, Integer::sum);
                }
                else {
                    assertConflict(outcome);
                }
            }
            assertThat(appliedPerValue).hasSize(values).allSatisfy((value, count) -> assertThat(count).isEqualTo(1));
        }
        finally {
            pool.shutdownNow();
        }
        Map<Object, String> holders = new HashMap<>();
        for (RowState state : stores.get(1).page(scope, 0, 1000, false).rows()) {
            assertThat(holders.put(state.row().get("email"), state.globalId())).as("one live row per value").isNull();
        }
        assertThat(holders).hasSize(values);
    }
}
