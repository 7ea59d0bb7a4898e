package io.pocketsync.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.api.store.ChangeOutcome;
import io.pocketsync.api.store.RowKey;
import io.pocketsync.api.store.UniqueClaims;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The claim rules as {@link BatchPlan} plans them, and the canonical form of claimed values. */
class UniqueClaimsTest {
    private static final Function<String, ConflictResolver> LWW = table -> TestResolvers.lastWriteWins();
    private static final List<List<String>> EMAIL = List.of(List.of("email"));

    private static Change change(String id, String gid, Op op, long hlc, Map<String, Object> row) {
        return new Change(id, "users", gid, op, row, List.of(), new Hlc(hlc), "d", EMAIL);
    }

    @Test
    void canonicalValuesAreTypedAndNullClaimsNothing() {
        assertThat(UniqueClaims.canonical(List.of(1L))).isEqualTo(UniqueClaims.canonical(List.of(1.0)));
        assertThat(UniqueClaims.canonical(List.of(1L))).isNotEqualTo(UniqueClaims.canonical(List.of("1")));
        assertThat(UniqueClaims.canonical(List.of(1.5))).isNotEqualTo(UniqueClaims.canonical(List.of("1.5")));
        assertThat(UniqueClaims.canonical(List.of(new byte[] {1, 2}))).isEqualTo(UniqueClaims.canonical(List.of(new byte[] {1, 2})));
        // length-prefixed: two values never read as one
        assertThat(UniqueClaims.canonical(List.of("a", "bc"))).isNotEqualTo(UniqueClaims.canonical(List.of("ab", "c")));
        assertThat(UniqueClaims.canonical(Arrays.asList("a", null))).isNull();
        UniqueClaims.Claim claim = new UniqueClaims.Claim("t", List.of("a", "b"), "v");
        assertThat(claim.key()).isNotEqualTo(new UniqueClaims.Claim("t", List.of("a"), "v").key());
    }

    @Test
    void thePlanWritesWhatTheBatchClaimsAndReleasesWithTheHoldersItRead() {
        Map<RowKey, RowState> stored = new HashMap<>();
        stored.put(new RowKey("users", "a1"), RowState.of(change("c0", "a1", Op.INSERT, 10, Map.of("email", "old@"))).withSequences(1, 1));
        Map<String, String> index = new HashMap<>();
        index.put(new UniqueClaims.Claim("users", List.of("email"), UniqueClaims.canonical(List.of("old@"))).key(), "a1");
        List<String> asked = new ArrayList<>();

        BatchPlan plan = BatchPlan.resolve(List.of(
                change("c1", "a1", Op.UPDATE, 11, Map.of("email", "new@")),
                change("c2", "b1", Op.INSERT, 12, Map.of("email", "old@"))), LWW, stored::get, id -> false, 1, claim -> {
                    asked.add(claim.key());
                    return index.get(claim.key());
                });

        assertThat(plan.outcome(0).outcomes()).extracting(ChangeOutcome::status).containsOnly(ChangeStatus.APPLIED);
        assertThat(plan.claimWrites()).extracting(w -> UniqueClaims.canonical(List.of("new@")).equals(w.claim().value())
                ? "new@ " + w.expected() + "->" + w.holder() : "old@ " + w.expected() + "->" + w.holder())
                .containsExactlyInAnyOrder("new@ null->a1", "old@ a1->b1");
        assertThat(asked).as("each claim read once").doesNotHaveDuplicates();
    }

    @Test
    void aRefusedEditCarriesTheStoredStateAndWritesNoClaim() {
        Map<RowKey, RowState> stored = new HashMap<>();
        RowState a1 = RowState.of(change("c0", "a1", Op.INSERT, 10, Map.of("email", "x@"))).withSequences(1, 1);
        RowState b1 = RowState.of(change("c1", "b1", Op.INSERT, 11, Map.of("email", "y@"))).withSequences(2, 2);
        stored.put(new RowKey("users", "a1"), a1);
        stored.put(new RowKey("users", "b1"), b1);
        Map<String, String> index = Map.of(new UniqueClaims.Claim("users", List.of("email"), UniqueClaims.canonical(List.of("x@"))).key(),
                "a1");

        BatchPlan plan = BatchPlan.resolve(List.of(change("c2", "b1", Op.UPDATE, 12, Map.of("email", "x@"))), LWW, stored::get,
                id -> false, 2, claim -> index.get(claim.key()));

        ChangeOutcome outcome = plan.outcome(0).outcomes().get(0);
        assertThat(outcome.status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(outcome.errorCode()).isEqualTo(ErrorCode.UNIQUE_CONFLICT);
        assertThat(outcome.state()).isEqualTo(b1);
        assertThat(plan.claimWrites()).isEmpty();
        assertThat(plan.audits()).hasSize(1);
        assertThat(plan.appliedCount()).isZero();
    }

    @Test
    void withoutAnIndexEveryValueIsFree() {
        BatchPlan plan = BatchPlan.resolve(List.of(change("c1", "a1", Op.INSERT, 1, Map.of("email", "x@")),
                change("c2", "b1", Op.INSERT, 2, Map.of("email", "y@"))), LWW, key -> null, id -> false, 0);

        assertThat(plan.outcome(0).outcomes()).extracting(ChangeOutcome::status).containsOnly(ChangeStatus.APPLIED);
        assertThat(plan.claimWrites()).hasSize(2);
    }
}
