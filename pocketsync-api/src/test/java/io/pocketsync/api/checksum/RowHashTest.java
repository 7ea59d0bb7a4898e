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

    static final String EXAMPLE = "043494a1dd260ae3";
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
}
