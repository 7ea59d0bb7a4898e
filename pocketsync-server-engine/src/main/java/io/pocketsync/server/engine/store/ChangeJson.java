package io.pocketsync.server.engine.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import java.util.ArrayList;
import java.util.List;

/** The JSON form of a change, stored on its own and inside audit entries and feed events. Thread-safe. */
final class ChangeJson {
    private ChangeJson() {}

    static void writeChangeFields(JsonText generator, Change change) {
        writeChange(generator, change, change.op(), () -> RowJson.writeRowFields(generator, change.row()), change.changedColumns());
    }

    /**
     * One change object: ids, clock and device from {@code identity}, the rest as given (a feed entry's
     * operation and columns may differ from the pushed change's, and its row is written from stored text).
     */
    static void writeChange(JsonText generator, Change identity, Op op, Runnable writeRow, List<String> columns) {
        generator.writeStartObject();
        generator.writeStringField("id", identity.changeId());
        generator.writeStringField("table", identity.table());
        generator.writeStringField("gid", identity.globalId());
        generator.writeStringField("op", op.name());
        generator.writeFieldName("row");
        writeRow.run();
        generator.writeArrayFieldStart("cols");
        for (String column : columns) {
            generator.writeString(column);
        }
        generator.writeEndArray();
        generator.writeNumberField("hlc", identity.hlc().value());
        generator.writeStringField("device", identity.deviceId());
        generator.writeEndObject();
    }

    static Change changeFrom(JsonNode node) {
        List<String> columns = new ArrayList<>();
        node.get("cols").forEach(column -> columns.add(column.asText()));
        return new Change(node.get("id").asText(), node.get("table").asText(), node.get("gid").asText(),
                Op.valueOf(node.get("op").asText()), RowJson.rowFrom(node.get("row")), columns, new Hlc(node.get("hlc").asLong()),
                node.get("device").asText());
    }
}
