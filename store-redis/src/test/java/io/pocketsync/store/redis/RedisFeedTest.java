package io.pocketsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.CommittedBatch;
import io.pocketsync.core.store.BatchPlan;
import io.pocketsync.core.store.StoreJson;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The feed message as the write script publishes it, read without Redis. */
class RedisFeedTest {
    private static final ConflictResolver WHOLE_ROW = (current, incoming) -> Resolution.apply(RowState.of(incoming));

    @Test
    void imagesOfWrittenRowsAreNamedOnceAndOthersAreInline() {
        Map<String, Object> awkward = new LinkedHashMap<>();
        awkward.put("text", "line\nbreak | bar");
        awkward.put("n", 7L);
        BatchPlan plan = BatchPlan.resolve(List.of(
                change("c1", "r1", Op.INSERT, Map.of("v", 1L)),
                change("c2", "r2", Op.INSERT, awkward),
                change("c3", "r1", Op.UPDATE, Map.of("v", 3L)),
                change("c4", "r2", Op.DELETE, Map.of())), table -> WHOLE_ROW, key -> null, id -> false, 10);

        CommittedBatch batch = RedisFeed.read(published(plan));

        assertThat(batch.fromSequence()).isEqualTo(10);
        assertThat(batch.toSequence()).isEqualTo(14);
        assertThat(batch.nodeId()).isEqualTo("node-a");
        assertThat(batch.changes()).containsExactlyElementsOf(plan.feedChanges(0));
    }

    @Test
    void eventOfThePreviousFormatWithEveryImageInlineReadsTheSame() {
        BatchPlan plan = BatchPlan.resolve(List.of(change("c1", "r1", Op.INSERT, Map.of("v", 1L))), table -> WHOLE_ROW,
                key -> null, id -> false, 0);

        CommittedBatch batch = RedisFeed.read("0|" + StoreJson.writeFeed(Scope.of("s"), "node-a", plan.feedChanges(0)));

        assertThat(batch.changes()).containsExactlyElementsOf(plan.feedChanges(0));
    }

    /** What the write script publishes for a plan: head, event naming written images, one line per written row. */
    private static String published(BatchPlan plan) {
        StoreJson.RowTexts texts = new StoreJson.RowTexts();
        Map<Map<String, Object>, Integer> written = new IdentityHashMap<>();
        StringBuilder values = new StringBuilder();
        for (BatchPlan.Planned planned : plan.rows().values()) {
            written.put(planned.state().row(), written.size());
            values.append('\n').append(RedisServerStore.storedValue(planned.state(), texts));
        }
        String event = StoreJson.writeFeedOf(Scope.of("s"), "node-a", plan.feedEntries(), texts,
                image -> written.getOrDefault(image, -1));
        assertThat(event).contains("\"v\":0").contains("\"row\":{\"v\":1}");
        return plan.base() + "|" + event + values;
    }

    private static Change change(String id, String gid, Op op, Map<String, Object> row) {
        return new Change(id, "todo", gid, op, row, op == Op.UPDATE ? List.of("v") : List.of(), Hlc.of(1_900_000_000_000L, 1),
                "dev");
    }
}
