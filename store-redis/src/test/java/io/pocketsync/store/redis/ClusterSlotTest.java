package io.pocketsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The slot function against the values Redis documents (CRC16 check value, CLUSTER KEYSLOT examples). */
class ClusterSlotTest {
    @Test
    void matchesRedisClusterKeyslot() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(ClusterSlot.crc16(check, 0, check.length)).isEqualTo(0x31C3);
        assertThat(ClusterSlot.of("somekey")).isEqualTo(11058);
        assertThat(ClusterSlot.of("foo{hash_tag}")).isEqualTo(2515);
        assertThat(ClusterSlot.of("{hash_tag}foo")).isEqualTo(2515);
        assertThat(ClusterSlot.of("foo{}{bar}")).isEqualTo(ClusterSlot.of("foo{}{bar}"))
                .isNotEqualTo(ClusterSlot.of("bar")); // an empty first tag means the whole key is hashed
        assertThat(ClusterSlot.of("foo{{bar}}zap")).isEqualTo(ClusterSlot.of("{bar"));
    }
}
