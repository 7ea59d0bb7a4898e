package io.pocketsync.store.redis;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.DeviceMarks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The devices' marks ({@link io.pocketsync.api.store.ServerStore#deviceMark}) in the scope's hash
 * {@code <prefix>:{<scope>}:marks} (device id → mark), raised by a small script right after the batch's write script.
 * Not in the write script itself: a mark only has to be at least as high as the truth once {@code apply} returned, and
 * keeping it apart leaves that script, the hot path, as it is. A mark that a failure leaves behind only delays a
 * restored device's repair until its next write.
 */
final class RedisDeviceMarks {
    /** KEYS: marks. ARGV: device, mark, device, mark, ... Keeps the maximum per device. */
    static final String RAISE = """
            for i = 1, #ARGV, 2 do
              local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
              if tonumber(ARGV[i + 1]) > current then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
            end
            return 0
            """;

    private RedisDeviceMarks() {}

    /** The script's arguments for a batch's outcome; empty when it raises no mark. */
    static List<String> args(List<Change> changes, BatchOutcome outcome) {
        Map<String, Long> marks = DeviceMarks.of(changes, outcome);
        List<String> args = new ArrayList<>(marks.size() * 2);
        marks.forEach((device, mark) -> {
            args.add(device);
            args.add(Long.toString(mark));
        });
        return args;
    }
}
