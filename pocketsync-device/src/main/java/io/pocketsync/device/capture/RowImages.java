package io.pocketsync.device.capture;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.util.ArrayList;
import java.io.IOException;
import java.util.HexFormat;
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
    // the triggers' own output: a BLOB is hex, twice its size, and a row over the row maximum must still be read to be
    // measured and rejected (Jackson's default 20 MB string bound would stop the queue at a 10 MiB BLOB)
    private static final ObjectMapper MAPPER = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE).build()).build())
            .enable(DeserializationFeature.USE_LONG_FOR_INTS);
    private static final String BLOB = "$b";

    private RowImages() {}

    /**
     * Reads a row image with a streaming parser: reading pending changes parses one image per change, and a
     * parsed tree converted into the map cost twice as much.
     */
    static Map<String, Object> parse(String json) {
        try (JsonParser parser = MAPPER.getFactory().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            Map<String, Object> row = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String column = parser.currentName();
                row.put(column, value(parser, parser.nextToken()));
            }
            return row;
        }
        catch (IOException | IllegalArgumentException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "unreadable captured row image: " + e.getMessage(), e);
        }
    }

    /**
     * The values of {@code columns} in a row image, in their order (null for a column the image does not hold), read
     * with the same value rules as {@link #parse} but without building the row: the sealer needs only a natural key.
     */
    static Object[] select(String json, List<String> columns) {
        Object[] values = new Object[columns.size()];
        int found = 0;
        try (JsonParser parser = MAPPER.getFactory().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            while (found < values.length && parser.nextToken() == JsonToken.FIELD_NAME) {
                int index = columns.indexOf(parser.currentName());
                JsonToken token = parser.nextToken();
                if (index < 0) {
                    parser.skipChildren(); // a BLOB's object; nothing for a scalar
                }
                else {
                    values[index] = value(parser, token);
                    found++;
                }
            }
            return values;
        }
        catch (IOException | IllegalArgumentException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "unreadable captured row image: " + e.getMessage(), e);
        }
    }

    static List<String> parseColumns(String json) {
        if ("[]".equals(json)) {
            return List.of(); // every INSERT and DELETE
        }
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

    private static Object value(JsonParser parser, JsonToken token) throws IOException {
        switch (token) {
            case VALUE_NULL:
                return null;
            case VALUE_NUMBER_INT:
                return parser.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return parser.getDoubleValue();
            case VALUE_STRING:
                return parser.getText();
            case START_OBJECT:
                // a BLOB: {"$b": "<HEX>"}
                if (parser.nextToken() == JsonToken.FIELD_NAME && BLOB.equals(parser.currentName())
                        && parser.nextToken() == JsonToken.VALUE_STRING) {
                    // decoded from the parser's buffer: a 10 MiB BLOB's 20 million hex digits never become a String
                    byte[] blob = HexFormat.of().parseHex(java.nio.CharBuffer.wrap(parser.getTextCharacters(),
                            parser.getTextOffset(), parser.getTextLength()));
                    if (parser.nextToken() == JsonToken.END_OBJECT) {
                        return blob;
                    }
                }
                throw new IllegalArgumentException("unexpected JSON object in a row image");
            default:
                throw new IllegalArgumentException("unexpected JSON value " + token);
        }
    }
}
