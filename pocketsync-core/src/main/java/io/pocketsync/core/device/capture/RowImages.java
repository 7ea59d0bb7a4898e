package io.pocketsync.core.device.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts row images between the JSON the triggers write and {@code Map<String,Object>} row images
 * ({@link io.pocketsync.api.model.Rows}). A BLOB is stored as {@code {"$b":"<HEX>"}}.
 *
 * <p>Thread-safe.
 */
final class RowImages {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_LONG_FOR_INTS);
    private static final String BLOB = "$b";

    private RowImages() {}

    static Map<String, Object> parse(String json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            Map<String, Object> row = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                row.put(field.getKey(), value(field.getValue()));
            }
            return row;
        }
        catch (JsonProcessingException | IllegalArgumentException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "unreadable captured row image: " + e.getMessage(), e);
        }
    }

    static List<String> parseColumns(String json) {
        try {
            List<String> columns = new ArrayList<>();
            for (JsonNode node : MAPPER.readTree(json)) {
                columns.add(node.asText());
            }
            return columns;
        }
        catch (JsonProcessingException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "unreadable captured column list: " + e.getMessage(), e);
        }
    }

    /** A JSON array of column names ({@code cols_json} of a change). */
    static String columnsJson(List<String> columns) {
        try {
            return MAPPER.writeValueAsString(columns);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("a list of strings always serializes", e);
        }
    }

    /** JSON for a row image, with BLOBs in the same form the triggers use (for the dead-letter table). */
    static String toJson(Map<String, ?> row) {
        ObjectNode node = MAPPER.createObjectNode();
        for (Map.Entry<String, ?> entry : row.entrySet()) {
            Object value = entry.getValue();
            if (value instanceof byte[]) {
                node.putObject(BLOB).put(BLOB, HexFormat.of().withUpperCase().formatHex((byte[]) value));
                node.set(entry.getKey(), node.remove(BLOB));
            }
            else {
                node.putPOJO(entry.getKey(), value);
            }
        }
        try {
            return MAPPER.writeValueAsString(node);
        }
        catch (JsonProcessingException e) {
            return "{}";
        }
    }

    private static Object value(JsonNode node) {
        if (node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isObject() && node.size() == 1 && node.has(BLOB)) {
            return HexFormat.of().parseHex(node.get(BLOB).asText());
        }
        throw new IllegalArgumentException("unexpected JSON value " + node.getNodeType());
    }
}
