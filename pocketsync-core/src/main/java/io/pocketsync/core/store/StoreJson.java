package io.pocketsync.core.store;

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
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.model.Version;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.CommittedBatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for what server stores keep as text: row images, per-column versions, changes, row states
 * (without sequences, which a store keeps beside them), audited changes and change-feed events.
 *
 * <p>Row values must come back exactly as they went in: an INTEGER stays a {@code Long} (JSON integers),
 * a REAL stays a {@code Double} (always written with a fraction or exponent, so it is parsed back as a
 * floating-point number), and values JSON cannot hold natively are objects with a marker key:
 * {@code {"$b":"<base64>"}} for BLOBs, {@code {"$f":"Infinity"}} for non-finite REALs. Strings are always
 * JSON strings, so a string that looks like a marker stays a string. Thread-safe.
 */
public final class StoreJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String BLOB = "$b";
    private static final String FLOAT = "$f";

    private StoreJson() {}

    public static String writeRow(Map<String, Object> row) {
        return write(rowNode(row));
    }

    public static Map<String, Object> readRow(String json) {
        return rowFrom(read(json));
    }

    public static String writeVersions(Map<String, Version> versions) {
        ObjectNode node = NODES.objectNode();
        versions.forEach((column, version) -> node.set(column, versionNode(version)));
        return write(node);
    }

    public static Map<String, Version> readVersions(String json) {
        Map<String, Version> versions = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = read(json).fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            versions.put(field.getKey(), versionFrom(field.getValue()));
        }
        return versions;
    }

    public static String writeChange(Change change) {
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

    public static Change readChange(String json) {
        return changeFrom(read(json));
    }

    private static Change changeFrom(JsonNode node) {
        List<String> columns = new ArrayList<>();
        node.get("cols").forEach(column -> columns.add(column.asText()));
        return new Change(node.get("id").asText(), node.get("table").asText(), node.get("gid").asText(),
                Op.valueOf(node.get("op").asText()), rowFrom(node.get("row")), columns, new Hlc(node.get("hlc").asLong()),
                node.get("device").asText());
    }

    /** A row state without its sequences (the store keeps those beside the JSON). */
    public static String writeState(RowState state) {
        ObjectNode node = NODES.objectNode();
        node.put("table", state.table());
        node.put("gid", state.globalId());
        node.set("row", rowNode(state.row()));
        node.put("deleted", state.deleted());
        node.set("version", versionNode(state.version()));
        ObjectNode columns = node.putObject("cols");
        state.columnVersions().forEach((column, version) -> columns.set(column, versionNode(version)));
        node.put("last", state.lastChangeId());
        return write(node);
    }

    public static RowState readState(String json, long firstSequence, long lastSequence) {
        JsonNode node = read(json);
        Map<String, Version> versions = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.get("cols").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            versions.put(field.getKey(), versionFrom(field.getValue()));
        }
        return new RowState(node.get("table").asText(), node.get("gid").asText(), rowFrom(node.get("row")),
                node.get("deleted").asBoolean(), versionFrom(node.get("version")), versions, node.get("last").asText(),
                firstSequence, lastSequence);
    }

    /** An audit entry without its id (Redis assigns it inside the write script). */
    public static String writeAudit(long atMillis, ChangeStatus status, Change change, String winner, ErrorCode code, String reason) {
        ObjectNode node = NODES.objectNode();
        node.put("at", atMillis);
        node.put("status", status.name());
        node.set("change", read(writeChange(change)));
        node.put("winner", winner);
        node.put("code", code == null ? null : code.name());
        node.put("reason", reason);
        return write(node);
    }

    public static AuditEntry readAudit(long id, String json) {
        JsonNode node = read(json);
        return new AuditEntry(id, Instant.ofEpochMilli(node.get("at").asLong()), ChangeStatus.valueOf(node.get("status").asText()),
                readChange(write(node.get("change"))), node.get("winner").textValue(),
                node.get("code").isNull() ? null : ErrorCode.valueOf(node.get("code").asText()), node.get("reason").textValue());
    }

    /** A change-feed event without its sequence range (the subscriber derives it from the head sent beside it). */
    public static String writeFeed(Scope scope, String nodeId, List<Change> changes) {
        ObjectNode node = NODES.objectNode();
        node.put("scope", scope.name());
        node.put("node", nodeId);
        ArrayNode array = node.putArray("changes");
        changes.forEach(change -> array.add(read(writeChange(change))));
        return write(node);
    }

    public static CommittedBatch readFeed(long fromSequence, String json) {
        JsonNode node = read(json);
        List<Change> changes = new ArrayList<>();
        node.get("changes").forEach(change -> changes.add(changeFrom(change)));
        return new CommittedBatch(Scope.of(node.get("scope").asText()), node.get("node").asText(), fromSequence,
                fromSequence + changes.size(), changes);
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
