package io.pocketsync.store.redis;

import java.nio.charset.StandardCharsets;

/**
 * Redis Cluster's key-to-slot function, computed here because the tests run against a standalone Redis:
 * CRC16 (XMODEM) of the key's hash tag (the text between the first '{' and the next '}', when not empty)
 * or of the whole key, modulo 16384.
 */
final class ClusterSlot {
    static final int SLOTS = 16384;

    private ClusterSlot() {}

    static int of(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        int open = indexOf(bytes, (byte) '{', 0);
        if (open >= 0) {
            int close = indexOf(bytes, (byte) '}', open + 1);
            if (close > open + 1) {
                return crc16(bytes, open + 1, close) % SLOTS;
            }
        }
        return crc16(bytes, 0, bytes.length) % SLOTS;
    }

    static int crc16(byte[] bytes, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc ^= (bytes[i] & 0xff) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
        }
        return crc & 0xffff;
    }

    private static int indexOf(byte[] bytes, byte value, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
