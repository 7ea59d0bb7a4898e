package io.pocketsync.api.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowHashTest {
    @Test
    void documentedExampleHasItsDocumentedValue() {
        // docs/protocol.md 4.1 quotes this value: another client's implementation checks itself against it
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("title", "milk");
        row.put("done", 0L);
        row.put("price", 1.5);
        row.put("photo", new byte[] {1, 2, 3});
        assertThat(String.format("%016x", RowHash.of("todo", "g1", row))).isEqualTo(EXAMPLE);
        assertThat(RowHash.bucket("g1")).isEqualTo(EXAMPLE_BUCKET);
    }

    static final String EXAMPLE = "1d61078b88136fd6";
    static final int EXAMPLE_BUCKET = 149;

    @Test
    void columnOrderNullsAndWholeRealsDoNotMatter() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("a", 1L);
        a.put("b", "x");
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("b", "x");
        b.put("c", null);
        b.put("a", 1.0);
        assertThat(RowHash.of("t", "g", a)).isEqualTo(RowHash.of("t", "g", b));
    }

    @Test
    void contentTableIdAndTypeMatter() {
        long base = RowHash.of("t", "g", Map.of("a", 1L));
        assertThat(RowHash.of("t", "g", Map.of("a", 2L))).isNotEqualTo(base);
        assertThat(RowHash.of("u", "g", Map.of("a", 1L))).isNotEqualTo(base);
        assertThat(RowHash.of("t", "h", Map.of("a", 1L))).isNotEqualTo(base);
        assertThat(RowHash.of("t", "g", Map.of("a", "1"))).isNotEqualTo(base);
        assertThat(RowHash.of("t", "g", Map.of("a", new byte[] {'1'}))).isNotEqualTo(RowHash.of("t", "g", Map.of("a", "1")));
        assertThat(RowHash.of("t", "g", Map.of("a", 1.5))).isNotEqualTo(base);
    }

    @Test
    void bucketsSpreadIds() {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < 25_600; i++) {
            counts.merge(RowHash.bucket("id-" + i), 1, Integer::sum);
        }
        assertThat(counts).hasSize(RowHash.BUCKETS);
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(50, 170));
    }

    @Test
    void bucketIsFnv1aOfTheUtf8Bytes() {
        for (String gid : new String[] {"", "g1", "0000000000000000000000ff", "n\u00e9-caf\u00e9", "x\ud83d\ude00y", "\u4e2d\u6587"}) {
            int hash = 0x811c9dc5;
            for (byte b : gid.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                hash = (hash ^ (b & 0xff)) * 0x01000193;
            }
            assertThat(RowHash.bucket(gid)).as(gid).isEqualTo(Integer.remainderUnsigned(hash, RowHash.BUCKETS));
        }
    }

    @Test
    void sumsAddUpInAnyOrderAndSubtractBack() {
        TableChecksum.Builder forward = new TableChecksum.Builder("t");
        TableChecksum.Builder backward = new TableChecksum.Builder("t");
        for (int i = 0; i < 100; i++) {
            forward.add("g" + i, RowHash.of("t", "g" + i, Map.of("v", (long) i)));
            backward.add("g" + (99 - i), RowHash.of("t", "g" + (99 - i), Map.of("v", (long) (99 - i))));
        }
        assertThat(forward.build()).isEqualTo(backward.build());
        assertThat(forward.build().differingBuckets(backward.build())).isEmpty();
        long hash = RowHash.of("t", "g1", Map.of("v", 1L));
        forward.addHalves(RowHash.bucket("g1"), -1, -(hash & 0xffff_ffffL), -(hash >>> 32));
        assertThat(forward.build().count()).isEqualTo(99);
        assertThat(forward.build().differingBuckets(backward.build())).containsExactly(RowHash.bucket("g1"));
    }

    /** The single-buffer encoding gives the bytes the definition gives field by field (protocol.md 4.1). */
    @Test
    void matchesTheDefinitionDigestedFieldByFieldOnRandomRows() throws Exception {
        java.util.Random random = new java.util.Random(42);
        String[] texts = {"", "plain", "caf\u00e9", "\u20ac uro", "\ud83d\ude00 emoji", "x".repeat(700), "mixed \u00fc\u4e2d\ud83c\udf89"};
        for (int n = 0; n < 500; n++) {
            Map<String, Object> row = new LinkedHashMap<>();
            int columns = random.nextInt(6);
            for (int c = 0; c < columns; c++) {
                String name = texts[random.nextInt(texts.length)] + c;
                Object value = switch (random.nextInt(6)) {
                    case 0 -> null;
                    case 1 -> random.nextLong();
                    case 2 -> random.nextDouble() * 1000;
                    case 3 -> (double) random.nextInt(100);
                    case 4 -> texts[random.nextInt(texts.length)];
                    default -> {
                        byte[] bytes = new byte[random.nextInt(40)];
                        random.nextBytes(bytes);
                        yield bytes;
                    }
                };
                row.put(name, value);
            }
            String table = texts[random.nextInt(texts.length)] + "t";
            String gid = "g" + random.nextInt(1000);
            assertThat(RowHash.of(table, gid, row)).as("row %s", row).isEqualTo(fieldByField(table, gid, row));
        }
    }

    private static long fieldByField(String table, String gid, Map<String, Object> row) throws Exception {
        FieldDigest digest = new FieldDigest();
        java.nio.charset.Charset utf8 = java.nio.charset.StandardCharsets.UTF_8;
        digest.update(table.getBytes(utf8));
        digest.update((byte) 0);
        digest.update(gid.getBytes(utf8));
        digest.update((byte) 0);
        java.util.List<String> columns = new java.util.ArrayList<>();
        row.forEach((column, value) -> {
            if (value != null) {
                columns.add(column);
            }
        });
        columns.sort((a, b) -> java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray()));
        java.nio.ByteBuffer eight = java.nio.ByteBuffer.allocate(8);
        for (String column : columns) {
            byte[] name = column.getBytes(utf8);
            digest.update(eight.clear().putInt(name.length).array(), 0, 4);
            digest.update(name);
            Object value = row.get(column);
            if (value instanceof Double real && real == Math.rint(real)) {
                value = real.longValue();
            }
            if (value instanceof Long number) {
                digest.update((byte) 'i');
                digest.update(eight.clear().putLong(number).array());
            }
            else if (value instanceof Double number) {
                digest.update((byte) 'r');
                digest.update(eight.clear().putLong(Double.doubleToLongBits(number)).array());
            }
            else {
                byte[] bytes = value instanceof String text ? text.getBytes(utf8) : (byte[]) value;
                digest.update((byte) (value instanceof String ? 't' : 'b'));
                digest.update(eight.clear().putInt(bytes.length).array(), 0, 4);
                digest.update(bytes);
            }
        }
        return digest.digest();
    }

    /** The definition's bytes, written field by field with the JDK's own encoders, then hashed whole. */
    private static final class FieldDigest {
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        void update(byte b) {
            bytes.write(b);
        }

        void update(byte[] more) {
            bytes.writeBytes(more);
        }

        void update(byte[] more, int offset, int length) {
            bytes.write(more, offset, length);
        }

        long digest() {
            byte[] all = bytes.toByteArray();
            return XxHash64.hash(all, 0, all.length);
        }
    }
}
