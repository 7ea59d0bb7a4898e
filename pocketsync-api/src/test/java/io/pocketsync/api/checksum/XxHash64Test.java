package io.pocketsync.api.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class XxHash64Test {
    /**
     * Values of the reference implementation ({@code xxhsum -H1}, xxHash 0.8) for inputs whose byte {@code i} is
     * {@code (31 i + 7) mod 256}: every length class of the algorithm (tails of 1 to 7 bytes, 4-byte and 8-byte
     * steps, one and several 32-byte stripes).
     */
    private static final Map<Integer, String> REFERENCE = Map.ofEntries(Map.entry(0, "ef46db3751d8e999"),
            Map.entry(1, "a96c7f0ce858bbb7"), Map.entry(3, "56e6957632a487f9"), Map.entry(4, "c60d15b1e3ff8f04"),
            Map.entry(5, "808815858624dd4e"), Map.entry(7, "afbefc3d6c6f9a8e"), Map.entry(8, "3da5c7aa269683e0"),
            Map.entry(9, "4b17a9ba9e215c09"), Map.entry(12, "8fe8ab1c1fd0666e"), Map.entry(15, "ae2a37eb9357caa7"),
            Map.entry(16, "a19ad429b02bc413"), Map.entry(31, "4a74f3a1a39ad4a1"), Map.entry(32, "8d57d6a4671cc43d"),
            Map.entry(33, "62c9fd21ed857664"), Map.entry(63, "5c320a0d2707057f"), Map.entry(64, "7bbabbc45729d17e"),
            Map.entry(65, "f3980c34bae65dc1"), Map.entry(100, "efa0ad2d3e70c151"), Map.entry(257, "6ff15897658784e0"));

    @Test
    void matchesTheReferenceImplementation() {
        REFERENCE.forEach((length, expected) -> {
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++) {
                bytes[i] = (byte) ((i * 31 + 7) % 256);
            }
            assertThat(String.format("%016x", XxHash64.hash(bytes, 0, length))).as("length %d", length).isEqualTo(expected);
        });
    }

    @Test
    void hashesOnlyTheGivenRange() {
        byte[] abc = "abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] padded = "xxabcyy".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(XxHash64.hash(padded, 2, 3)).isEqualTo(XxHash64.hash(abc, 0, 3));
        assertThat(String.format("%016x", XxHash64.hash(abc, 0, 3))).isEqualTo("44bc2cf5ad770999");
    }
}
