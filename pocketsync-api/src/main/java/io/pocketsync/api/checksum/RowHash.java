package io.pocketsync.api.checksum;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The hash of one live row and the bucket of a {@code ps_global_id}, exactly as docs/protocol.md 4.1 defines them,
 * so that the server (from its stored winning image) and a device (from the image it would send) compute the same
 * value.
 *
 * <p>The hash is XXH64 with seed 0 ({@value #ALGORITHM}, the reference xxHash's 64-bit hash) over: the table (UTF-8), a zero byte, the global id
 * (UTF-8), a zero byte, then per column whose value is not null, in code point order of the names: the name's
 * UTF-8 length (4 bytes) and bytes, a tag and the value. A number whose value is a whole 64-bit integer is tagged
 * {@code i} with its 8 bytes (so {@code 1} and {@code 1.0} hash alike, as SQLite compares them); another real is
 * {@code r} with its IEEE 754 bits; text is {@code t} and a blob {@code b}, each with a 4-byte length. A NaN real
 * counts as null (SQLite stores it as NULL). Null columns are left out, so a column a side lacks and a column that
 * is NULL are the same.
 *
 * <p>The first version of the protocol used the first 8 bytes of SHA-256 over the same bytes; VERIFY and CHECKSUMS
 * name the algorithm ({@code alg}), so that two sides that hash differently never compare.
 *
 * <p>Thread-safe (a buffer per thread).
 */
public final class RowHash {
    /** The name of this hash on the wire ({@code alg} of VERIFY and CHECKSUMS). */
    public static final String ALGORITHM = "xxh64";

    /** The name of the first version's hash, which a message without {@code alg} means. */
    public static final String FIRST_ALGORITHM = "sha256-64";

    /** How many buckets the {@code ps_global_id} space is split into. */
    public static final int BUCKETS = 256;

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
        // The bytes are laid out in one reused buffer and hashed in one call, and the columns are gathered and sorted
        // in reused arrays: the server hashes every row it writes, so this is on its ingest path (docs/benchmarks.md).
        return of(buffer(), table, globalId, row);
    }

    /** This thread's buffer, for {@link #of(Bytes, String, String, Map)}: fetched once for a run of rows. */
    static Bytes buffer() {
        return BUFFER.get();
    }

    /** {@link #of(String, String, Map)} in {@code out}, the calling thread's own {@link #buffer()}. */
    static long of(Bytes out, String table, String globalId, Map<String, ? extends @Nullable Object> row) {
        out.reset();
        out.utf8(table);
        out.put((byte) 0);
        out.utf8(globalId);
        out.put((byte) 0);
        int count = out.gather(row);
        String[] names = out.names;
        Object[] values = out.values;
        for (int i = 0; i < count; i++) {
            int lengthAt = out.reserveInt();
            int nameStart = out.size();
            out.utf8(names[i]);
            out.putIntAt(lengthAt, out.size() - nameStart);
            Object value = values[i];
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
        java.util.Arrays.fill(values, 0, count, null); // do not keep a row's values alive in the thread's buffer
        return XxHash64.hash(out.array(), 0, out.size());
    }

    private static final ThreadLocal<Bytes> BUFFER = ThreadLocal.withInitial(Bytes::new);

    /** A growable big-endian byte buffer, reused per thread (a row's bytes are hashed before the next row starts). */
    static final class Bytes implements BiConsumer<String, @Nullable Object> {
        private byte[] bytes = new byte[512];
        private int size;
        /** The non-null columns of the row being hashed, in code point order of the names, and their values. */
        String[] names = new String[16];
        Object[] values = new Object[16];
        private int count;

        /** Fills {@link #names} and {@link #values} with the row's non-null columns, sorted; returns how many. */
        int gather(Map<String, ? extends @Nullable Object> row) {
            if (names.length < row.size()) {
                names = new String[row.size()];
                values = new Object[row.size()];
            }
            count = 0;
            // the map's own loop (a read-only image's entry set wraps every entry)
            row.forEach(this);
            return count;
        }

        /** One column of the row being gathered. */
        @Override
        public void accept(String name, @Nullable Object column) {
            Object value = canonical(column);
            if (value == null) {
                return;
            }
            // insertion sort: rows have few columns, and they mostly come in the same order every time
            int at = count;
            while (at > 0 && compareCodePoints(names[at - 1], name) > 0) {
                names[at] = names[at - 1];
                values[at] = values[at - 1];
                at--;
            }
            names[at] = name;
            values[at] = value;
            count++;
        }

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
        // FNV-1a over the UTF-8 bytes, encoded on the fly: the server takes the bucket of every row it writes.
        int hash = 0x811c9dc5;
        int length = globalId.length();
        for (int i = 0; i < length; i++) {
            char c = globalId.charAt(i);
            if (c < 0x80) {
                hash = (hash ^ c) * 0x01000193;
            }
            else {
                for (byte b : globalId.substring(i).getBytes(StandardCharsets.UTF_8)) {
                    hash = (hash ^ (b & 0xff)) * 0x01000193;
                }
                break;
            }
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

    /**
     * Code point order of two strings: UTF-16 order, except that a surrogate (a code point above U+FFFF) sorts after
     * U+E000..U+FFFF, as its code point does.
     */
    private static int compareCodePoints(String a, String b) {
        int length = Math.min(a.length(), b.length());
        for (int i = 0; i < length; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                if (x >= 0xd800 && y >= 0xd800) {
                    return Integer.compare(codePointRank(x), codePointRank(y));
                }
                return Integer.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    private static int codePointRank(char c) {
        return c >= 0xe000 ? c - 0x800 : c + 0x2000; // surrogates move above U+FFFF's units
    }
}
