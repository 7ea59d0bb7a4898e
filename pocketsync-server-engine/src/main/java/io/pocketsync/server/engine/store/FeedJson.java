package io.pocketsync.server.engine.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.api.store.CommittedBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The JSON form of a change-feed event, without its sequence range (the subscriber derives it from the head
 * sent beside it). Entries carry their changes in full, or name a row state sent beside the event. Thread-safe.
 */
final class FeedJson {
    private FeedJson() {}

    static String writeFeed(Scope scope, String nodeId, List<Change> changes) {
        return StoreJsonIo.write(generator -> {
            generator.writeStartObject();
            generator.writeStringField("scope", scope.name());
            generator.writeStringField("node", nodeId);
            generator.writeArrayFieldStart("changes");
            for (Change change : changes) {
                ChangeJson.writeChangeFields(generator, change);
            }
            generator.writeEndArray();
            generator.writeEndObject();
        });
    }

    static String writeFeedOf(Scope scope, String nodeId, List<BatchPlan.FeedEntry> entries, StoreJson.RowTexts rows) {
        return StoreJsonIo.write(generator -> {
            generator.writeStartObject();
            generator.writeStringField("scope", scope.name());
            generator.writeStringField("node", nodeId);
            generator.writeArrayFieldStart("changes");
            for (BatchPlan.FeedEntry entry : entries) {
                writeFeedEntry(generator, entry, rows);
            }
            generator.writeEndArray();
            generator.writeEndObject();
        });
    }

    private static void writeFeedEntry(JsonText generator, BatchPlan.FeedEntry entry, StoreJson.RowTexts rows) {
        ChangeJson.writeChange(generator, entry.pushed(), entry.op(), () -> generator.writeRaw(rows.of(entry.row())),
                entry.changedColumns());
    }

    static String writeFeedOf(Scope scope, String nodeId, List<BatchPlan.FeedEntry> entries, StoreJson.RowTexts rows,
            StoreJson.StoredStates stored) {
        return StoreJsonIo.write(generator -> {
            generator.writeStartObject();
            generator.writeStringField("scope", scope.name());
            generator.writeStringField("node", nodeId);
            generator.writeArrayFieldStart("changes");
            for (BatchPlan.FeedEntry entry : entries) {
                int index = stored.indexOf(entry.row());
                if (index < 0) {
                    writeFeedEntry(generator, entry, rows);
                    continue;
                }
                RowState state = stored.state(index);
                Change pushed = entry.pushed();
                generator.writeStartObject();
                generator.writeNumberField("v", index);
                generator.writeStringField("op", entry.op().name());
                if (!entry.changedColumns().isEmpty()) {
                    generator.writeArrayFieldStart("cols");
                    for (String column : entry.changedColumns()) {
                        generator.writeString(column);
                    }
                    generator.writeEndArray();
                }
                if (!pushed.changeId().equals(state.lastChangeId())) {
                    generator.writeStringField("id", pushed.changeId());
                }
                if (!pushed.hlc().equals(state.version().hlc())) {
                    generator.writeNumberField("hlc", pushed.hlc().value());
                }
                if (!pushed.deviceId().equals(state.version().deviceId())) {
                    generator.writeStringField("device", pushed.deviceId());
                }
                generator.writeEndObject();
            }
            generator.writeEndArray();
            generator.writeEndObject();
        });
    }

    static CommittedBatch readFeed(long fromSequence, String json, IntFunction<RowState> storedStates) {
        JsonNode node = StoreJsonIo.read(json);
        List<Change> changes = new ArrayList<>();
        for (JsonNode change : node.get("changes")) {
            JsonNode index = change.get("v");
            if (index == null) {
                changes.add(ChangeJson.changeFrom(change));
                continue;
            }
            RowState state = storedStates.apply(index.intValue());
            List<String> columns = new ArrayList<>();
            if (change.has("cols")) {
                change.get("cols").forEach(column -> columns.add(column.asText()));
            }
            changes.add(new Change(change.has("id") ? change.get("id").asText() : state.lastChangeId(), state.table(),
                    state.globalId(), Op.valueOf(change.get("op").asText()), state.row(), columns,
                    change.has("hlc") ? new Hlc(change.get("hlc").asLong()) : state.version().hlc(),
                    change.has("device") ? change.get("device").asText() : state.version().deviceId()));
        }
        return new CommittedBatch(Scope.of(node.get("scope").asText()), node.get("node").asText(), fromSequence,
                fromSequence + changes.size(), changes);
    }

    static CommittedBatch readFeed(long fromSequence, String json) {
        JsonNode node = StoreJsonIo.read(json);
        List<Change> changes = new ArrayList<>();
        node.get("changes").forEach(change -> changes.add(ChangeJson.changeFrom(change)));
        return new CommittedBatch(Scope.of(node.get("scope").asText()), node.get("node").asText(), fromSequence,
                fromSequence + changes.size(), changes);
    }
}
