package io.pocketsync.testkit.store;

import static io.pocketsync.testkit.store.TestChanges.delete;
import static io.pocketsync.testkit.store.TestChanges.insert;
import static io.pocketsync.testkit.store.TestChanges.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.api.store.ChangeOutcome;
import io.pocketsync.api.store.RowKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class BatchPlanTest {
    private static final Function<String, ConflictResolver> LWW = table -> TestResolvers.lastWriteWins();

    @Test
    void recreatingADeletedRowKeepsItsFirstSequenceAndTheFeedSaysInsert() {
        Map<RowKey, RowState> stored = new HashMap<>();
        RowState tombstone = RowState.of(delete("d", "r1", 10)).withSequences(3, 7);
        stored.put(new RowKey("todo", "r1"), tombstone);

        BatchPlan plan = BatchPlan.resolve(List.of(insert("c1", "r1", 20, Map.of("n", 1L)),
                update("c2", "r1", 21, Map.of("n", 2L)), delete("c3", "r1", 22)), LWW, stored::get, id -> false, 7);

        BatchOutcome outcome = plan.outcome(0);
        assertThat(outcome.outcomes()).extracting(ChangeOutcome::sequence).containsExactly(8L, 9L, 10L);
        assertThat(outcome.outcomes()).extracting(o -> o.state().firstSequence()).containsOnly(3L);
        assertThat(plan.feedChanges(0)).extracting(Change::op).containsExactly(Op.INSERT, Op.UPDATE, Op.DELETE);
        assertThat(plan.rows().get(new RowKey("todo", "r1")).firstAssigned()).isFalse();
    }

    @Test
    void sequencesThisBatchAssignedMoveWithTheRealHeadAndStoredOnesDoNot() {
        Map<RowKey, RowState> stored = new HashMap<>();
        stored.put(new RowKey("todo", "old"), RowState.of(insert("o", "old", 1, Map.of())).withSequences(2, 2));

        BatchPlan plan = BatchPlan.resolve(List.of(insert("c1", "new", 5, Map.of()), update("c2", "old", 6, Map.of("n", 1L))),
                LWW, stored::get, id -> false, 0);
        BatchOutcome outcome = plan.outcome(40);

        assertThat(outcome.fromSequence()).isEqualTo(40);
        assertThat(outcome.toSequence()).isEqualTo(42);
        assertThat(outcome.outcomes()).extracting(o -> o.state().firstSequence(), o -> o.state().lastSequence())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(41L, 41L), org.assertj.core.groups.Tuple.tuple(2L, 42L));
    }

    @Test
    void duplicatesAndLosersTakeNoSequence() {
        Map<RowKey, RowState> stored = new HashMap<>();
        stored.put(new RowKey("todo", "r1"), RowState.of(insert("w", "r1", 100, Map.of())).withSequences(1, 1));

        BatchPlan plan = BatchPlan.resolve(List.of(insert("seen", "r2", 5, Map.of()), update("old", "r1", 50, Map.of()),
                insert("c3", "r3", 5, Map.of()), insert("c3", "r3", 5, Map.of())), LWW, stored::get, "seen"::equals, 1);

        assertThat(plan.outcome(0).outcomes()).extracting(ChangeOutcome::status).containsExactly(ChangeStatus.DUPLICATE,
                ChangeStatus.SUPERSEDED, ChangeStatus.APPLIED, ChangeStatus.DUPLICATE);
        assertThat(plan.appliedCount()).isEqualTo(1);
        assertThat(plan.processedIds()).containsExactly("old", "c3");
        assertThat(plan.audits()).singleElement().satisfies(a -> assertThat(a.winnerChangeId()).isEqualTo("w"));
    }

    @Test
    void aFailingResolverIsAnInternalErrorNotARawException() {
        assertThatThrownBy(() -> BatchPlan.resolve(List.of(insert("boom", "r1", 1, Map.of())),
                table -> TestResolvers.failingOn("boom"), key -> null, id -> false, 0))
                .isInstanceOf(PocketSyncException.class)
                .satisfies(e -> assertThat(((PocketSyncException) e).code()).isEqualTo(ErrorCode.INTERNAL));
    }

    @Test
    void batchCreatesOnlyNewRowsWhenEveryRowIsFirstTouchedByAnInsert() {
        assertThat(BatchPlan.createsOnlyNewRows(List.of())).isTrue();
        assertThat(BatchPlan.createsOnlyNewRows(List.of(insert("c1", "r1", 1, Map.of()), insert("c2", "r2", 1, Map.of()))))
                .isTrue();
        assertThat(BatchPlan.createsOnlyNewRows(List.of(insert("c1", "r1", 1, Map.of()), update("c2", "r1", 2, Map.of()),
                delete("c3", "r1", 3)))).isTrue();
        assertThat(BatchPlan.createsOnlyNewRows(List.of(insert("c1", "r1", 1, Map.of()), update("c2", "r2", 2, Map.of()))))
                .isFalse();
        assertThat(BatchPlan.createsOnlyNewRows(List.of(delete("c1", "r1", 1), insert("c2", "r1", 2, Map.of())))).isFalse();
    }
}
