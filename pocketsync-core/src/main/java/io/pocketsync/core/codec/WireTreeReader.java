package io.pocketsync.core.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one value from a streaming parser into plain Java objects: {@code Map<String, Object>},
 * {@code List<Object>}, {@link String}, {@link Long}, {@link java.math.BigInteger} (too big for a long;
 * the mapping rejects it), {@link Double}, {@link Boolean}, {@code byte[]} and {@code null}.
 *
 * <p>Reading the tree by hand (rather than through {@code ObjectMapper.readTree}) keeps the depth check
 * exact and the recursion bounded by {@code maxDepth}, so hostile nesting can never overflow the stack.
 * Stateless apart from its limit; thread-safe.
 */
final class WireTreeReader {
    private final int maxDepth;

    WireTreeReader(int maxDepth) {
        this.maxDepth = maxDepth;
    }

    /** Reads the single root value and fails if anything follows it. */
    Object readRoot(JsonParser parser) throws IOException {
        JsonToken token = parser.nextToken();
        if (token == null) {
            throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "empty message");
        }
        Object root = read(parser, token, 0);
        if (parser.nextToken() != null) {
            throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "trailing data after the message");
        }
        return root;
    }

    private Object read(JsonParser parser, JsonToken token, int depth) throws IOException {
        switch (token) {
            case START_OBJECT:
                return readObject(parser, enter(depth));
            case START_ARRAY:
                return readArray(parser, enter(depth));
            case VALUE_STRING:
                return parser.getText();
            case VALUE_NUMBER_INT:
                JsonParser.NumberType type = parser.getNumberType();
                return type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG
                        ? (Object) parser.getLongValue() : parser.getBigIntegerValue();
            case VALUE_NUMBER_FLOAT:
                return parser.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            case VALUE_EMBEDDED_OBJECT:
                Object embedded = parser.getEmbeddedObject();
                if (embedded instanceof byte[]) {
                    return embedded;
                }
                throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "unsupported embedded value");
            default:
                throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "unexpected token " + token);
        }
    }

    private int enter(int depth) {
        int next = depth + 1;
        if (next > maxDepth) {
            throw new PocketSyncException(ErrorCode.MESSAGE_TOO_DEEP, "message nested deeper than " + maxDepth + " levels");
        }
        return next;
    }

    private Map<String, Object> readObject(JsonParser parser, int depth) throws IOException {
        Map<String, Object> map = new LinkedHashMap<>();
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken valueToken = parser.nextToken();
            if (valueToken == null) {
                throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "truncated message");
            }
            map.put(name, read(parser, valueToken, depth));
        }
        if (token != JsonToken.END_OBJECT) {
            throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, token == null ? "truncated message" : "unexpected token " + token);
        }
        return map;
    }

    private List<Object> readArray(JsonParser parser, int depth) throws IOException {
        List<Object> list = new ArrayList<>();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) {
                throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "truncated message");
            }
            list.add(read(parser, token, depth));
        }
        return list;
    }
}
