package io.pocketsync.store.sqlite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.Version;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for what the store keeps as text: row images, per-column versions and audited changes.
 *
 * <p>Row values must come back exactly as they went in: an INTEGER stays a {@code Long} (JSON integers),
 * a REAL stays a {@code Double} (always written with a fraction or exponent, so it is parsed back as a
 * floating-point number), and values JSON cannot hold natively are objects with a marker key:
 * {@code {"$b":"<base64>"}} for BLOBs, {@code {"$f":"Infinity"}} for non-finite REALs. Strings are always
 * JSON strings, so a string that looks like a marker stays a string. Thread-safe.
 */
final class StoreJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String BLOB = "$b";
    private static final String FLOAT = "$f";

    private StoreJson() {}

    static String writeRow(Map<String, Object> row) {
        return write(rowNode(row));
    }

    static Map<String, Object> readRow(String json) {
        return rowFrom(read(json));
    }

    static String writeVersions(Map<String, Version> versions) {
        ObjectNode node = NODES.objectNode();
        versions.forEach((column, version) -> node.set(column, versionNode(version)));
        return write(node);
    }

    static Map<String, Version> readVersions(String json) {
        Map<String, Version> versions = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = read(json).fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            versions.put(field.getKey(), versionFrom(field.getValue()));
        }
        return versions;
    }

    static String writeChange(Change change) {
        ObjectNode node = NODES.objectNode();
        node.put("id", change.changeId());
        node.put("table", change.table());
        node.put("gid", change.globalId());
        node.put("op", change.op().name());
        node.set("row", rowNode(change.row()));
        ArrayNode columns = node.putArray("cols");
        change.changedColumns().forEach(columns::add);
        node.put("hlc", change.hlc().value());
        node.put("device", change.deviceId());
        return write(node);
    }

    static Change readChange(String json) {
        JsonNode node = read(json);
        List<String> columns = new ArrayList<>();
        node.get("cols").forEach(column -> columns.add(column.asText()));
        return new Change(node.get("id").asText(), node.get("table").asText(), node.get("gid").asText(),
                Op.valueOf(node.get("op").asText()), rowFrom(node.get("row")), columns, new Hlc(node.get("hlc").asLong()),
                node.get("device").asText());
    }

    private static ObjectNode rowNode(Map<String, Object> row) {
        ObjectNode node = NODES.objectNode();
        row.forEach((column, value) -> node.set(column, valueNode(value)));
        return node;
    }

    private static JsonNode valueNode(Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof Long number) {
            return NODES.numberNode(number);
        }
        if (value instanceof Double number) {
            return Double.isFinite(number) ? NODES.numberNode(number) : NODES.objectNode().put(FLOAT, number.toString());
        }
        if (value instanceof String text) {
            return NODES.textNode(text);
        }
        if (value instanceof byte[] bytes) {
            return NODES.objectNode().put(BLOB, Base64.getEncoder().encodeToString(bytes));
        }
        throw new PocketSyncException(ErrorCode.INVALID_CHANGE, "not a SQLite value: " + value.getClass().getName());
    }

    private static Map<String, Object> rowFrom(JsonNode node) {
        Map<String, Object> row = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            row.put(field.getKey(), valueFrom(field.getValue()));
        }
        return row;
    }

    private static Object valueFrom(JsonNode node) {
        if (node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber()) {
            return node.longValue();
        }
        if (node.isFloatingPointNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.has(BLOB)) {
            return Base64.getDecoder().decode(node.get(BLOB).textValue());
        }
        if (node.has(FLOAT)) {
            return Double.valueOf(node.get(FLOAT).textValue());
        }
        throw new PocketSyncException(ErrorCode.INTERNAL, "unreadable stored value: " + node);
    }

    private static JsonNode versionNode(Version version) {
        return NODES.arrayNode().add(version.hlc().value()).add(version.deviceId());
    }

    private static Version versionFrom(JsonNode node) {
        return new Version(new Hlc(node.get(0).asLong()), node.get(1).asText());
    }

    private static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        }
        catch (JsonProcessingException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "cannot encode JSON", e);
        }
    }

    private static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        }
        catch (JsonProcessingException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "stored JSON is corrupt", e);
        }
    }
}
