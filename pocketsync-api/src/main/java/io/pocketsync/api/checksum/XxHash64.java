package io.pocketsync.api.checksum;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * XXH64, the 64-bit xxHash of Yann Collet (https://github.com/Cyan4973/xxHash, doc/xxhash_spec.md), with seed 0:
 * the row hash of docs/protocol.md 4.1. Chosen over a cryptographic digest because the server hashes every row it
 * writes and a checksum only has to catch drift, not resist a forger: SHA-256 cost the server about a tenth of its
 * ingest rate, XXH64 costs a few percent (docs/benchmarks.md). Its values are those of the reference
 * implementation ({@code xxhsum -H1}), which the tests check.
 *
 * <p>Stateless and thread-safe.
 */
final class XxHash64 {
    private static final long PRIME_1 = 0x9E3779B185EBCA87L;
    private static final long PRIME_2 = 0xC2B2AE3D27D4EB4FL;
    private static final long PRIME_3 = 0x165667B19E3779F9L;
    private static final long PRIME_4 = 0x85EBCA77C2B2AE63L;
    private static final long PRIME_5 = 0x27D4EB2F165667C5L;
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private XxHash64() {}

    /**
     * XXH64 with seed 0 of {@code length} bytes of {@code bytes} from {@code offset}.
     *
     * @param bytes the input
     * @param offset where it starts
     * @param length how many bytes
     * @return the hash
     */
    static long hash(byte[] bytes, int offset, int length) {
        int at = offset;
        int end = offset + length;
        long hash;
        if (length >= 32) {
            long v1 = PRIME_1 + PRIME_2;
            long v2 = PRIME_2;
            long v3 = 0;
            long v4 = -PRIME_1;
            int limit = end - 32;
            do {
                v1 = round(v1, (long) LONG.get(bytes, at));
                v2 = round(v2, (long) LONG.get(bytes, at + 8));
                v3 = round(v3, (long) LONG.get(bytes, at + 16));
                v4 = round(v4, (long) LONG.get(bytes, at + 24));
                at += 32;
            }
            while (at <= limit);
            hash = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            hash = merge(hash, v1);
            hash = merge(hash, v2);
            hash = merge(hash, v3);
            hash = merge(hash, v4);
        }
        else {
            hash = PRIME_5;
        }
        hash += length;
        while (at + 8 <= end) {
            hash ^= round(0, (long) LONG.get(bytes, at));
            hash = Long.rotateLeft(hash, 27) * PRIME_1 + PRIME_4;
            at += 8;
        }
        if (at + 4 <= end) {
            hash ^= ((int) INT.get(bytes, at) & 0xffff_ffffL) * PRIME_1;
            hash = Long.rotateLeft(hash, 23) * PRIME_2 + PRIME_3;
            at += 4;
        }
        while (at < end) {
            hash ^= (bytes[at] & 0xffL) * PRIME_5;
            hash = Long.rotateLeft(hash, 11) * PRIME_1;
            at++;
        }
        hash ^= hash >>> 33;
        hash *= PRIME_2;
        hash ^= hash >>> 29;
        hash *= PRIME_3;
        hash ^= hash >>> 32;
        return hash;
    }

    private static long round(long accumulator, long input) {
        return Long.rotateLeft(accumulator + input * PRIME_2, 31) * PRIME_1;
    }

    private static long merge(long hash, long accumulator) {
        return (hash ^ round(0, accumulator)) * PRIME_1 + PRIME_4;
    }
}
