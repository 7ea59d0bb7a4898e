package io.pocketsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.model.Version;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.api.store.CommittedBatch;
import io.pocketsync.server.engine.store.StoreJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The feed message as the write script publishes it, read back without Redis. */
class RedisFeedTest {
    private static final ConflictResolver WHOLE_ROW = Resolution::applyIncoming;

    @Test
    void changesThatLeftTheirRowAsWrittenNameItAndOthersCarryTheirImage() {
        Map<String, Object> awkward = new LinkedHashMap<>();
        awkward.put("text", "line\nbreak | bar");
        awkward.put("n", 7L);
        BatchPlan plan = plan(WHOLE_ROW,
                change("c1", "r1", Op.INSERT, Map.of("v", 1L)),
                change("c2", "r2", Op.INSERT, awkward),
                change("c3", "r1", Op.UPDATE, Map.of("v", 3L)),
                change("c4", "r2", Op.DELETE, Map.of()));

        String message = published(plan);
        CommittedBatch batch = RedisFeed.read(message);

        assertThat(batch.fromSequence()).isEqualTo(10);
        assertThat(batch.toSequence()).isEqualTo(14);
        assertThat(batch.nodeId()).isEqualTo("node-a");
        assertThat(batch.changes()).containsExactlyElementsOf(plan.feedChanges(0));
        // c1's and c2's images were overwritten within the batch, so they travel inline; c3 and c4 name their rows.
        assertThat(message.substring(0, message.indexOf('\n'))).contains("\"row\":{\"v\":1}").doesNotContain("{\"v\":3}")
                .contains("{\"v\":0,\"op\":\"UPDATE\",\"cols\":[\"v\"]}").contains("{\"v\":1,\"op\":\"DELETE\"}");
    }

    @Test
    void idHlcAndDeviceTravelWhenTheyDifferFromTheStoredVersion() {
        ConflictResolver serverStamped = (current, incoming) -> Resolution.apply(current, incoming, new RowState(incoming.table(),
                incoming.globalId(), incoming.row(), false, new Version(new Hlc(99), "server"), Map.of(), "merged", 0, 0));
        BatchPlan plan = plan(serverStamped, change("c1", "r1", Op.INSERT, Map.of("v", 1L)));

        CommittedBatch batch = RedisFeed.read(published(plan));

        assertThat(batch.changes()).containsExactlyElementsOf(plan.feedChanges(0));
        assertThat(batch.changes().get(0)).extracting(Change::changeId, Change::deviceId).containsExactly("c1", "dev");
    }

    @Test
    void aMessageWithoutTheRowsItNamesIsRefusedNotMisread() {
        BatchPlan plan = plan(WHOLE_ROW, change("c1", "r1", Op.INSERT, Map.of("v", 1L)));
        String eventAlone = "10|" + StoreJson.writeFeed(Scope.of("s"), "node-a", plan.feedChanges(0));

        assertThatThrownBy(() -> RedisFeed.read(eventAlone)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no written rows");
        assertThatThrownBy(() -> RedisFeed.read("garbage")).isInstanceOf(IllegalArgumentException.class);
    }

    private static BatchPlan plan(ConflictResolver resolver, Change... changes) {
        return BatchPlan.resolve(List.of(changes), table -> resolver, key -> null, id -> false, 10);
    }

    /** What the write script publishes for a plan: the head, the event, one line per written row. */
    private static String published(BatchPlan plan) {
        StoreJson.RowTexts texts = new StoreJson.RowTexts();
        RedisFeed.Written written = new RedisFeed.Written(plan.rows().size());
        StringBuilder lines = new StringBuilder();
        for (BatchPlan.Planned planned : plan.rows().values()) {
            written.add(planned.state());
            lines.append('\n').append(RedisServerStore.storedValue(planned.state(), texts));
        }
        return plan.base() + "|" + StoreJson.writeFeedOf(Scope.of("s"), "node-a", plan.feedEntries(), texts, written) + lines;
    }

    private static Change change(String id, String gid, Op op, Map<String, Object> row) {
        return new Change(id, "todo", gid, op, row, op == Op.UPDATE ? List.of("v") : List.of(), Hlc.of(1_900_000_000_000L, 1),
                "dev");
    }
}
