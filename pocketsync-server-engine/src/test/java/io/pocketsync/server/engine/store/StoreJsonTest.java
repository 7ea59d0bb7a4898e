package io.pocketsync.server.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Rows;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.model.Version;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.api.store.CommittedBatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreJsonTest {
    private static Map<String, Object> awkwardRow() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("long", Long.MIN_VALUE);
        row.put("whole-double", 2.0d);
        row.put("nan", Double.NaN);
        row.put("minus-infinity", Double.NEGATIVE_INFINITY);
        row.put("blob", new byte[] {0, -1, 127});
        row.put("marker-text", "{\"$b\":\"AAE=\"}");
        row.put("null", null);
        return row;
    }

    @Test
    void rowsKeepTheirSqliteTypes() {
        Map<String, Object> back = StoreJson.readRow(StoreJson.writeRow(awkwardRow()));

        assertThat(Rows.rowEquals(back, awkwardRow())).isTrue();
        assertThat(back.get("long")).isInstanceOf(Long.class);
        assertThat(back.get("whole-double")).isInstanceOf(Double.class);
        assertThat(back.get("marker-text")).isInstanceOf(String.class);
    }

    @Test
    void columnVersionsRoundTripAndCorruptTextIsRefusedWithACode() {
        Map<String, Version> versions = new LinkedHashMap<>();
        versions.put("title", new Version(new Hlc(Long.MAX_VALUE), "dev-\"1\""));
        versions.put("done", new Version(new Hlc(7), "other"));

        assertThat(StoreJson.readVersions(StoreJson.writeVersions(versions))).containsExactlyEntriesOf(versions);
        assertThat(StoreJson.readVersions("{}")).isEmpty();
        assertThatThrownBy(() -> StoreJson.readRow("{\"a\": [1]}")).isInstanceOfSatisfying(PocketSyncException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
        assertThatThrownBy(() -> StoreJson.readVersions("{\"a\": 1")).isInstanceOfSatisfying(PocketSyncException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
    }

    @Test
    void statesAuditsAndFeedEventsRoundTrip() {
        Change change = new Change("c1", "todo", "g1", Op.UPDATE, awkwardRow(), List.of("long"), new Hlc(123), "dev");
        RowState state = new RowState("todo", "g1", awkwardRow(), false, change.version(),
                Map.of("long", new Version(new Hlc(5), "other")), "c1", 0, 0);

        assertThat(StoreJson.readState(StoreJson.writeState(state), 3, 9)).isEqualTo(state.withSequences(3, 9));
        assertThat(StoreJson.readChange(StoreJson.writeChange(change))).isEqualTo(change);
        AuditEntry audit = StoreJson.readAudit(4, StoreJson.writeAudit(1000, ChangeStatus.REJECTED, change, null,
                ErrorCode.RESOLVER_REJECTED, "no"));
        assertThat(audit.change()).isEqualTo(change);
        assertThat(audit.errorCode()).isEqualTo(ErrorCode.RESOLVER_REJECTED);
        assertThat(audit.at().toEpochMilli()).isEqualTo(1000);
        CommittedBatch batch = StoreJson.readFeed(7, StoreJson.writeFeed(Scope.of("s"), "node-a", List.of(change)));
        assertThat(batch).isEqualTo(new CommittedBatch(Scope.of("s"), "node-a", 7, 8, List.of(change)));
    }

    @Test
    void textIsWhatJacksonWritesForTheSameValues() throws Exception {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("quote\"back\\slash", "tab\tnew\nline\r\b\f\u0001\u001f end");
        row.put("unicode", "\u00e9\u4e2d\ud83d\ude00/");
        row.put("small", 1.0E-7);
        row.put("large", 1.2345678901234567E300);
        row.put("negative-zero", -0.0);
        row.put("long", Long.MAX_VALUE);
        row.put("null", null);
        ObjectMapper jackson = new ObjectMapper();

        String written = StoreJson.writeRow(row);

        assertThat(written).isEqualTo(jackson.writeValueAsString(row));
        assertThat(Rows.rowEquals(StoreJson.readRow(written), row)).isTrue();
    }

    @Test
    void feedOfPlanEntriesIsTheFeedOfTheirChanges() {
        Change change = new Change("c1", "todo", "g1", Op.UPDATE, awkwardRow(), List.of("long"), new Hlc(123), "dev");
        BatchPlan plan = BatchPlan.resolve(List.of(change), table -> io.pocketsync.api.conflict.Resolution::applyIncoming,
                key -> null, id -> false, 0);

        String entries = StoreJson.writeFeedOf(Scope.of("s"), "node-a", plan.feedEntries(), new StoreJson.RowTexts());

        assertThat(entries).isEqualTo(StoreJson.writeFeed(Scope.of("s"), "node-a", plan.feedChanges(0)));
        assertThat(StoreJson.readFeed(0, entries).changes()).containsExactlyElementsOf(plan.feedChanges(0));
        RowState state = plan.rows().values().iterator().next().state();
        assertThat(StoreJson.writeState(state, new StoreJson.RowTexts())).isEqualTo(StoreJson.writeState(state));
        assertThat(StoreJson.readState(StoreJson.writeState(state), 1, 1)).isEqualTo(state);
    }
}
