package io.pocketsync.server.engine.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Version;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON form of a row state, without the sequences a store keeps beside it. Thread-safe. */
final class RowStateJson {
    private RowStateJson() {}

    static String writeState(RowState state, StoreJson.RowTexts rows) {
        return StoreJsonIo.write(generator -> {
            generator.writeStartObject();
            generator.writeStringField("table", state.table());
            generator.writeStringField("gid", state.globalId());
            generator.writeFieldName("row");
            generator.writeRaw(rows.of(state.row()));
            generator.writeBooleanField("deleted", state.deleted());
            generator.writeFieldName("version");
            RowJson.writeVersion(generator, state.version());
            generator.writeFieldName("cols");
            RowJson.writeVersionFields(generator, state.columnVersions());
            generator.writeStringField("last", state.lastChangeId());
            generator.writeEndObject();
        });
    }

    static RowState readState(String json, long firstSequence, long lastSequence) {
        JsonNode node = StoreJsonIo.read(json);
        Map<String, Version> versions = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.get("cols").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            versions.put(field.getKey(), RowJson.versionFrom(field.getValue()));
        }
        return new RowState(node.get("table").asText(), node.get("gid").asText(), RowJson.rowFrom(node.get("row")),
                node.get("deleted").asBoolean(), RowJson.versionFrom(node.get("version")), versions, node.get("last").asText(),
                firstSequence, lastSequence);
    }
}
