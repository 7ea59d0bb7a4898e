package io.pocketsync.server.engine.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Version;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON form of row images and versions, which every other stored form embeds.
 *
 * <p>Row values must come back exactly as they went in: an INTEGER stays a {@code Long} (JSON integers),
 * a REAL stays a {@code Double} (always written with a fraction or exponent, so it is parsed back as a
 * floating-point number), and values JSON cannot hold natively are objects with a marker key:
 * {@code {"$b":"<base64>"}} for BLOBs, {@code {"$f":"Infinity"}} for non-finite REALs. Strings are always
 * JSON strings, so a string that looks like a marker stays a string. Thread-safe.
 */
final class RowJson {
    private static final String BLOB = "$b";
    private static final String FLOAT = "$f";

    private RowJson() {}

    static void writeRowFields(JsonText generator, Map<String, Object> row) {
        generator.writeStartObject();
        row.forEach((column, value) -> {
            generator.writeFieldName(column);
            writeValue(generator, value);
        });
        generator.writeEndObject();
    }

    private static void writeValue(JsonText generator, Object value) {
        if (value == null) {
            generator.writeNull();
        }
        else if (value instanceof Long number) {
            generator.writeNumber(number);
        }
        else if (value instanceof Double number) {
            if (Double.isFinite(number)) {
                generator.writeNumber(number);
            }
            else {
                generator.writeStartObject();
                generator.writeStringField(FLOAT, number.toString());
                generator.writeEndObject();
            }
        }
        else if (value instanceof String text) {
            generator.writeString(text);
        }
        else if (value instanceof byte[] bytes) {
            generator.writeStartObject();
            generator.writeStringField(BLOB, Base64.getEncoder().encodeToString(bytes));
            generator.writeEndObject();
        }
        else {
            throw new PocketSyncException(ErrorCode.INVALID_CHANGE, "not a SQLite value: " + value.getClass().getName());
        }
    }

    static Map<String, Object> rowFrom(JsonNode node) {
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

    static void writeVersionFields(JsonText generator, Map<String, Version> versions) {
        generator.writeStartObject();
        for (Map.Entry<String, Version> entry : versions.entrySet()) {
            generator.writeFieldName(entry.getKey());
            writeVersion(generator, entry.getValue());
        }
        generator.writeEndObject();
    }

    static void writeVersion(JsonText generator, Version version) {
        generator.writeStartArray();
        generator.writeNumber(version.hlc().value());
        generator.writeString(version.deviceId());
        generator.writeEndArray();
    }

    static Version versionFrom(JsonNode node) {
        return new Version(new Hlc(node.get(0).asLong()), node.get(1).asText());
    }
}
