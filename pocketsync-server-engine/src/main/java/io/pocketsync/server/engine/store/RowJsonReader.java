package io.pocketsync.server.engine.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Version;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the stored JSON of a row image and of per-column versions with Jackson's streaming parser, straight into the
 * map, without the tree of nodes {@link RowJson#rowFrom} walks: these two are read for every row a catch-up page
 * holds and every stored row a batch resolves against, and the tree was about half of their cost. Reads what
 * {@link RowJson} writes, with the same values (see there). Thread-safe.
 */
final class RowJsonReader {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build()).build();
    private static final String BLOB = "$b";
    private static final String FLOAT = "$f";

    private RowJsonReader() {}

    /** A row image as {@link RowJson#writeRowFields} wrote it. */
    static Map<String, Object> row(String json) {
        try (JsonParser parser = FACTORY.createParser(json)) {
            start(parser);
            Map<String, Object> row = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String column = parser.currentName();
                row.put(column, value(parser, parser.nextToken()));
            }
            return row;
        }
        catch (IOException e) {
            throw corrupt(e);
        }
    }

    /** Per-column versions as {@link RowJson#writeVersionFields} wrote them: {@code {"col": [hlc, "device"], ...}}. */
    static Map<String, Version> versions(String json) {
        if (json.equals("{}")) {
            return new LinkedHashMap<>(); // a whole-row resolver keeps none: most rows, not worth a parser
        }
        try (JsonParser parser = FACTORY.createParser(json)) {
            start(parser);
            Map<String, Version> versions = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String column = parser.currentName();
                expect(parser.nextToken(), JsonToken.START_ARRAY);
                expect(parser.nextToken(), JsonToken.VALUE_NUMBER_INT);
                long hlc = parser.getLongValue();
                expect(parser.nextToken(), JsonToken.VALUE_STRING);
                String device = parser.getText();
                expect(parser.nextToken(), JsonToken.END_ARRAY);
                versions.put(column, new Version(new Hlc(hlc), device));
            }
            return versions;
        }
        catch (IOException e) {
            throw corrupt(e);
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
                // a value JSON cannot hold natively: {"$b": base64} or {"$f": "Infinity"}
                expect(parser.nextToken(), JsonToken.FIELD_NAME);
                String marker = parser.currentName();
                expect(parser.nextToken(), JsonToken.VALUE_STRING);
                String text = parser.getText();
                expect(parser.nextToken(), JsonToken.END_OBJECT);
                if (marker.equals(BLOB)) {
                    return Base64.getDecoder().decode(text);
                }
                if (marker.equals(FLOAT)) {
                    return Double.valueOf(text);
                }
                throw new PocketSyncException(ErrorCode.INTERNAL, "unreadable stored value marker: " + marker);
            default:
                throw new PocketSyncException(ErrorCode.INTERNAL, "unreadable stored value: " + token);
        }
    }

    private static void start(JsonParser parser) throws IOException {
        expect(parser.nextToken(), JsonToken.START_OBJECT);
    }

    private static void expect(JsonToken actual, JsonToken wanted) {
        if (actual != wanted) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "stored JSON is corrupt: " + actual + " where " + wanted
                    + " belongs");
        }
    }

    private static PocketSyncException corrupt(IOException e) {
        return new PocketSyncException(ErrorCode.INTERNAL, "stored JSON is corrupt", e);
    }
}
