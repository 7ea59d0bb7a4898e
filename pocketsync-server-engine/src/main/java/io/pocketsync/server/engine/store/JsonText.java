package io.pocketsync.server.engine.store;

/**
 * A minimal JSON writer into a {@link StringBuilder}, for the little JSON stores write on every change.
 * It writes what Jackson's generator writes for the same calls (strings escaped the same way, doubles as
 * {@link Double#toString}, which reads back as the same double) at a fraction of the cost of setting up
 * a generator per value. Callers write well-formed sequences; nothing is validated. Not thread-safe.
 */
final class JsonText {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final StringBuilder out;
    private boolean comma;

    JsonText(int capacity) {
        this.out = new StringBuilder(capacity);
    }

    void writeStartObject() {
        separate();
        out.append('{');
        comma = false;
    }

    void writeEndObject() {
        out.append('}');
        comma = true;
    }

    void writeStartArray() {
        separate();
        out.append('[');
        comma = false;
    }

    void writeEndArray() {
        out.append(']');
        comma = true;
    }

    void writeFieldName(String name) {
        separate();
        quoted(name);
        out.append(':');
        comma = false;
    }

    void writeArrayFieldStart(String name) {
        writeFieldName(name);
        writeStartArray();
    }

    /** A value that is already JSON text (after a field name or as an array element). */
    void writeRaw(String json) {
        separate();
        out.append(json);
        comma = true;
    }

    void writeString(String value) {
        separate();
        if (value == null) {
            out.append("null");
        }
        else {
            quoted(value);
        }
        comma = true;
    }

    void writeNumber(long value) {
        separate();
        out.append(value);
        comma = true;
    }

    /** A finite double; non-finite values are the caller's business (they have no JSON number form). */
    void writeNumber(double value) {
        separate();
        out.append(Double.toString(value));
        comma = true;
    }

    void writeBoolean(boolean value) {
        separate();
        out.append(value);
        comma = true;
    }

    void writeNull() {
        separate();
        out.append("null");
        comma = true;
    }

    void writeStringField(String name, String value) {
        writeFieldName(name);
        writeString(value);
    }

    void writeNumberField(String name, long value) {
        writeFieldName(name);
        writeNumber(value);
    }

    void writeBooleanField(String name, boolean value) {
        writeFieldName(name);
        writeBoolean(value);
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private void separate() {
        if (comma) {
            out.append(',');
        }
    }

    private void quoted(String text) {
        out.append('"');
        int length = text.length();
        int plain = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(text, plain, i);
            plain = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        out.append(text, plain, length);
        out.append('"');
    }
}
