package io.pocketsync.api.model;

import java.io.Serializable;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Helpers for row images. A row image maps column names to SQLite values, and a value is one of:
 * {@code null}, {@link Long} (INTEGER), {@link Double} (REAL), {@link String} (TEXT) or
 * {@code byte[]} (BLOB). Other numeric types are normalised by {@link #copyOf}.
 *
 * <p>Row images are unmodifiable, keep column order and allow null values.
 */
public final class Rows {
    private Rows() {}

    /**
     * An unmodifiable, order-keeping copy of {@code row} with normalised values. A row this method
     * returned before comes back as it is (unless it holds a BLOB, whose array is mutable and copied
     * again): a change's image passed on into row states is then not copied once per record.
     *
     * @param row column names to values; no null column name
     * @return the normalised, unmodifiable copy
     * @throws IllegalArgumentException when a value has a type that is not a SQLite value
     */
    public static Map<String, @Nullable Object> copyOf(Map<String, ? extends @Nullable Object> row) {
        if (row instanceof Copy copy && !copy.hasBlob) {
            return copy;
        }
        Map<String, @Nullable Object> copy = new LinkedHashMap<>(Math.max(4, row.size() * 2));
        boolean hasBlob = false;
        for (Map.Entry<String, ? extends @Nullable Object> entry : row.entrySet()) {
            @Nullable Object value = normalise(entry.getValue());
            hasBlob |= value instanceof byte[];
            copy.put(Objects.requireNonNull(entry.getKey(), "column name is null"), value);
        }
        return new Copy(Collections.unmodifiableMap(copy), hasBlob);
    }

    /** What {@link #copyOf} returns: an unmodifiable view of a private copy, known to need no copying again. */
    private static final class Copy extends AbstractMap<String, @Nullable Object> implements Serializable {
        private static final long serialVersionUID = 1L;

        private final Map<String, @Nullable Object> view;
        private final boolean hasBlob;

        Copy(Map<String, @Nullable Object> view, boolean hasBlob) {
            this.view = view;
            this.hasBlob = hasBlob;
        }

        @Override
        public Set<Entry<String, @Nullable Object>> entrySet() {
            return view.entrySet();
        }

        @Override
        public int size() {
            return view.size();
        }

        @Override
        public boolean containsKey(@Nullable Object key) {
            return view.containsKey(key);
        }

        @Override
        public @Nullable Object get(@Nullable Object key) {
            return view.get(key);
        }

        @Override
        public void forEach(java.util.function.BiConsumer<? super String, ? super @Nullable Object> action) {
            view.forEach(action); // the backing map's own loop: no read-only wrapper per entry
        }
    }

    /**
     * Normalises one value: integral numbers to Long, other numbers to Double, booleans to 0 or 1, byte[] copied.
     *
     * @param value a column value; may be null
     * @return null, a Long, a Double, a String or a fresh byte[]
     * @throws IllegalArgumentException when the value has a type that is not a SQLite value
     */
    public static @Nullable Object normalise(@Nullable Object value) {
        if (value == null || value instanceof Long || value instanceof Double || value instanceof String) {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float) {
            return ((Float) value).doubleValue();
        }
        if (value instanceof java.math.BigInteger) {
            return ((java.math.BigInteger) value).longValueExact();
        }
        if (value instanceof java.math.BigDecimal) {
            return ((java.math.BigDecimal) value).doubleValue();
        }
        if (value instanceof Boolean) {
            return ((Boolean) value) ? 1L : 0L;
        }
        if (value instanceof byte[]) {
            return ((byte[]) value).clone();
        }
        throw new IllegalArgumentException("not a SQLite value: " + value.getClass().getName());
    }

    /**
     * Value equality that compares BLOBs by content.
     *
     * @param a one value; may be null
     * @param b the other; may be null
     * @return whether both are null, equal, or byte arrays of equal content
     */
    public static boolean valueEquals(@Nullable Object a, @Nullable Object b) {
        if (a instanceof byte[] && b instanceof byte[]) {
            return Arrays.equals((byte[]) a, (byte[]) b);
        }
        return Objects.equals(a, b);
    }

    /**
     * Row equality that compares BLOBs by content and ignores column order.
     *
     * @param a one row image; may be null
     * @param b the other; may be null
     * @return whether both hold the same columns with equal values
     */
    public static boolean rowEquals(@Nullable Map<String, ?> a, @Nullable Map<String, ?> b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null || a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<String, ?> entry : a.entrySet()) {
            if (!b.containsKey(entry.getKey()) || !valueEquals(entry.getValue(), b.get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The size of a row image in bytes, used for row-size and page-size limits: text counts its exact UTF-8 length,
     * a BLOB its base64 length (as JSON carries it), every other value 20 bytes, plus a few bytes per column.
     *
     * @param row a row image
     * @return the size, exact for text and close for the rest
     */
    public static long estimateBytes(Map<String, ?> row) {
        long size = 2;
        for (Map.Entry<String, ?> entry : row.entrySet()) {
            size += utf8Length(entry.getKey()) + 4;
            Object value = entry.getValue();
            if (value instanceof String) {
                // the exact UTF-8 length: 88,000 ASCII characters are 88,000 bytes, not the 264,000 a flat 3 bytes
                // per character once made of them (refused as ROW_TOO_LARGE under a 256 KiB limit)
                size += utf8Length((String) value);
            }
            else if (value instanceof byte[]) {
                size += ((byte[]) value).length * 4L / 3 + 8;
            }
            else {
                size += 20;
            }
        }
        return size;
    }

    /**
     * The size of a row as the row limit counts it (server {@code max-row-bytes}, WELCOME {@code maxRow}; docs/protocol.md,
     * "Limits"): the sum, over its columns, of the column name's UTF-8 length and the value's size: a text's exact
     * UTF-8 length, a BLOB's length, 8 bytes for a number or boolean, 0 for NULL. Exact, and the same on every side,
     * whatever the encoding on the wire.
     *
     * @param row a row image
     * @return its size in bytes
     */
    public static long rowBytes(Map<String, ?> row) {
        long size = 0;
        for (Map.Entry<String, ?> entry : row.entrySet()) {
            size += utf8Length(entry.getKey());
            Object value = entry.getValue();
            if (value instanceof String text) {
                size += utf8Length(text);
            }
            else if (value instanceof byte[] blob) {
                size += blob.length;
            }
            else if (value != null) {
                size += 8;
            }
        }
        return size;
    }

    /**
     * The number of bytes a text takes in UTF-8, counted without encoding it.
     *
     * @param text any text
     * @return its UTF-8 length in bytes
     */
    public static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            }
            else if (c < 0x800) {
                bytes += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            }
            else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
