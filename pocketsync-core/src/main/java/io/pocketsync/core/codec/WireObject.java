package io.pocketsync.core.codec;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Typed access to one decoded map, with errors that name the field's path: a missing required field
 * is {@link ErrorCode#MALFORMED_MESSAGE}, a value of the wrong type or out of range is
 * {@link ErrorCode#INVALID_FIELD}. Fields this side does not read are ignored.
 */
final class WireObject {
    private final Map<String, Object> fields;
    private final String path;

    WireObject(Map<String, Object> fields, String path) {
        this.fields = fields;
        this.path = path;
    }

    /** Wraps a decoded value that must be a map. */
    static WireObject of(Object value, String path) {
        if (!(value instanceof Map)) {
            throw invalid(path, "a map", value);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        return new WireObject(map, path);
    }

    String path() {
        return path;
    }

    String field(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** The field names, in wire order. */
    Iterable<String> names() {
        return fields.keySet();
    }

    boolean has(String name) {
        return fields.get(name) != null;
    }

    Object raw(String name) {
        return fields.get(name);
    }

    Object required(String name) {
        Object value = fields.get(name);
        if (value == null) {
            throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "missing field '" + field(name) + "'");
        }
        return value;
    }

    String string(String name) {
        Object value = required(name);
        if (!(value instanceof String)) {
            throw invalid(field(name), "a string", value);
        }
        return (String) value;
    }

    /** A string, or null when absent or null. */
    String optionalString(String name) {
        return has(name) ? string(name) : null;
    }

    long longValue(String name) {
        return toLong(field(name), required(name));
    }

    long nonNegativeLong(String name) {
        long value = longValue(name);
        if (value < 0) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field '" + field(name) + "' must not be negative: " + value);
        }
        return value;
    }

    int intValue(String name) {
        long value = longValue(name);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field '" + field(name) + "' is out of the 32-bit range: " + value);
        }
        return (int) value;
    }

    boolean booleanValue(String name) {
        Object value = required(name);
        if (!(value instanceof Boolean)) {
            throw invalid(field(name), "true or false", value);
        }
        return (Boolean) value;
    }

    List<?> list(String name) {
        Object value = required(name);
        if (!(value instanceof List)) {
            throw invalid(field(name), "an array", value);
        }
        return (List<?>) value;
    }

    WireObject object(String name) {
        return of(required(name), field(name));
    }

    <E extends Enum<E>> E enumValue(String name, Class<E> type) {
        String value = string(name);
        try {
            return Enum.valueOf(type, value);
        }
        catch (IllegalArgumentException e) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD,
                    "field '" + field(name) + "' has an unknown value: " + shorten(value));
        }
    }

    static long toLong(String path, Object value) {
        if (value instanceof Long) {
            return (Long) value;
        }
        if (value instanceof BigInteger) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field '" + path + "' does not fit in 64 bits");
        }
        throw invalid(path, "an integer", value);
    }

    static PocketSyncException invalid(String path, String expected, Object actual) {
        return new PocketSyncException(ErrorCode.INVALID_FIELD,
                "field '" + (path.isEmpty() ? "(root)" : path) + "' must be " + expected + ", was " + describe(actual));
    }

    static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof java.util.Map) {
            return "a map";
        }
        if (value instanceof List) {
            return "an array";
        }
        if (value instanceof byte[]) {
            return "a byte string";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        if (value instanceof Double) {
            return "a real";
        }
        return "an integer";
    }

    static String shorten(String value) {
        return value.length() > 40 ? "'" + value.substring(0, 40) + "...'" : "'" + value + "'";
    }
}
