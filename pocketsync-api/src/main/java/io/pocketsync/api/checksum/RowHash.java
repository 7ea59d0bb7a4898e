package io.pocketsync.api.checksum;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The hash of one live row and the bucket of a {@code ps_global_id}, exactly as docs/protocol.md 4.1 defines them,
 * so that the server (from its stored winning image) and a device (from the image it would send) compute the same
 * value.
 *
 * <p>The hash is the first 8 bytes (big-endian) of SHA-256 over: the table (UTF-8), a zero byte, the global id
 * (UTF-8), a zero byte, then per column whose value is not null, in code point order of the names: the name's
 * UTF-8 length (4 bytes) and bytes, a tag and the value. A number whose value is a whole 64-bit integer is tagged
 * {@code i} with its 8 bytes (so {@code 1} and {@code 1.0} hash alike, as SQLite compares them); another real is
 * {@code r} with its IEEE 754 bits; text is {@code t} and a blob {@code b}, each with a 4-byte length. A NaN real
 * counts as null (SQLite stores it as NULL). Null columns are left out, so a column a side lacks and a column that
 * is NULL are the same.
 *
 * <p>Thread-safe (a digest per thread).
 */
public final class RowHash {
    /** How many buckets the {@code ps_global_id} space is split into. */
    public static final int BUCKETS = 256;

    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    });
    private static final double TWO_63 = 9.223372036854775808E18;

    private RowHash() {}

    /**
     * The hash of a live row.
     *
     * @param table the table
     * @param globalId the row's {@code ps_global_id}
     * @param row the wire image (column to SQLite value: null, Long or another integral number, Double, String,
     *        byte[]; a Boolean counts as 1 or 0)
     * @return the 64-bit hash
     * @throws IllegalArgumentException when a value is of none of those types
     */
    public static long of(String table, String globalId, Map<String, ? extends @Nullable Object> row) {
        // The bytes are laid out in one reused buffer and digested in one call: a digest update per field cost about
        // as much as the SHA-256 itself, and the server hashes every row it writes (docs/benchmarks.md).
        Bytes out = BUFFER.get();
        out.reset();
        out.utf8(table);
        out.put((byte) 0);
        out.utf8(globalId);
        out.put((byte) 0);
        List<String> columns = new ArrayList<>(row.size());
        for (Map.Entry<String, ? extends @Nullable Object> entry : row.entrySet()) {
            if (canonical(entry.getValue()) != null) {
                columns.add(entry.getKey());
            }
        }
        columns.sort(RowHash::compareCodePoints);
        for (String column : columns) {
            int lengthAt = out.reserveInt();
            int nameStart = out.size();
            out.utf8(column);
            out.putIntAt(lengthAt, out.size() - nameStart);
            Object value = canonical(row.get(column));
            if (value instanceof Long number) {
                out.put((byte) 'i');
                out.putLong(number);
            }
            else if (value instanceof Double number) {
                out.put((byte) 'r');
                out.putLong(Double.doubleToLongBits(number));
            }
            else if (value instanceof String text) {
                out.put((byte) 't');
                int textLengthAt = out.reserveInt();
                int textStart = out.size();
                out.utf8(text);
                out.putIntAt(textLengthAt, out.size() - textStart);
            }
            else {
                byte[] bytes = (byte[]) value;
                out.put((byte) 'b');
                out.putInt(bytes.length);
                out.put(bytes);
            }
        }
        MessageDigest digest = SHA_256.get();
        digest.reset();
        digest.update(out.array(), 0, out.size());
        return ByteBuffer.wrap(digest.digest()).getLong();
    }

    private static final ThreadLocal<Bytes> BUFFER = ThreadLocal.withInitial(Bytes::new);

    /** A growable big-endian byte buffer, reused per thread (a row's bytes are hashed before the next row starts). */
    private static final class Bytes {
        private byte[] bytes = new byte[512];
        private int size;

        void reset() {
            if (bytes.length > (1 << 20)) {
                bytes = new byte[512]; // do not keep a large row's buffer for ever
            }
            size = 0;
        }

        int size() {
            return size;
        }

        byte[] array() {
            return bytes;
        }

        private void room(int more) {
            if (size + more > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        void put(byte b) {
            room(1);
            bytes[size++] = b;
        }

        void put(byte[] more) {
            room(more.length);
            System.arraycopy(more, 0, bytes, size, more.length);
            size += more.length;
        }

        void putInt(int value) {
            room(4);
            putIntAt(size, value);
            size += 4;
        }

        int reserveInt() {
            room(4);
            size += 4;
            return size - 4;
        }

        void putIntAt(int at, int value) {
            bytes[at] = (byte) (value >>> 24);
            bytes[at + 1] = (byte) (value >>> 16);
            bytes[at + 2] = (byte) (value >>> 8);
            bytes[at + 3] = (byte) value;
        }

        void putLong(long value) {
            putInt((int) (value >>> 32));
            putInt((int) value);
        }

        /** {@code text} as UTF-8 (a lone surrogate as '?', like {@code String.getBytes}). */
        void utf8(String text) {
            int length = text.length();
            room(length * 3);
            for (int i = 0; i < length; i++) {
                char c = text.charAt(i);
                if (c < 0x80) {
                    bytes[size++] = (byte) c;
                }
                else if (c < 0x800) {
                    bytes[size++] = (byte) (0xc0 | (c >> 6));
                    bytes[size++] = (byte) (0x80 | (c & 0x3f));
                }
                else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, text.charAt(++i));
                    bytes[size++] = (byte) (0xf0 | (cp >> 18));
                    bytes[size++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                    bytes[size++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                    bytes[size++] = (byte) (0x80 | (cp & 0x3f));
                }
                else if (Character.isSurrogate(c)) {
                    bytes[size++] = (byte) '?';
                }
                else {
                    bytes[size++] = (byte) (0xe0 | (c >> 12));
                    bytes[size++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                    bytes[size++] = (byte) (0x80 | (c & 0x3f));
                }
            }
        }
    }

    /**
     * The bucket of a global id: FNV-1a (32-bit) of its UTF-8 bytes, modulo {@link #BUCKETS}.
     *
     * @param globalId the row's {@code ps_global_id}
     * @return 0 to {@code BUCKETS - 1}
     */
    public static int bucket(String globalId) {
        int hash = 0x811c9dc5;
        for (byte b : globalId.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x01000193;
        }
        return Integer.remainderUnsigned(hash, BUCKETS);
    }

    /** The value as hashed: Long, Double, String or byte[]; null when it contributes nothing. */
    private static @Nullable Object canonical(@Nullable Object value) {
        if (value == null || value instanceof String || value instanceof byte[] || value instanceof Long) {
            return value;
        }
        if (value instanceof Double || value instanceof Float) {
            double real = ((Number) value).doubleValue();
            if (Double.isNaN(real)) {
                return null;
            }
            if (real == Math.rint(real) && real >= -TWO_63 && real < TWO_63) {
                return (long) real;
            }
            return real;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Boolean flag) {
            return flag ? 1L : 0L;
        }
        throw new IllegalArgumentException("not a SQLite value: " + value.getClass().getName());
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
