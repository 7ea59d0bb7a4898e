package io.pocketsync.store.redis;

import io.pocketsync.api.checksum.ChecksumDelta;
import io.pocketsync.api.checksum.RowHash;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.checksum.TableChecksum;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scope's checksums of row state in Redis: one hash ({@link RedisKeys#checksums()}) with three counters per table
 * and bucket, fields {@code <table length>:<table>|<bucket>|c} (live rows), {@code |l} and {@code |h} (sums of the
 * low and high 32 bits of the row hashes, see {@link ChecksumDelta}: halves, because HINCRBY refuses to overflow).
 * The write script adds a batch's increments in the same atomic call as its rows, so every node sharing the Redis
 * reads the same values; the field {@code #ready} says the counters cover every row (set by a scope's first batch,
 * or by {@link #REBUILD} for a scope written before checksums existed).
 */
final class RedisChecksums {
    /** The field that says the counters are complete. */
    static final String READY = "#ready";

    /** The write script's increment count of a store that does not keep checksums: the kept ones become incomplete. */
    static final String NOT_KEPT = "-1";

    /**
     * Appended to the write script: ARGV from {@code i} on: count, then field and increment pairs; a count of
     * {@value #NOT_KEPT} marks the counters incomplete instead (a node that does not keep them wrote rows).
     */
    static final String WRITE_PART = """
            local sums = tonumber(ARGV[i] or '0'); i = i + 1
            if sums < 0 then redis.call('HDEL', KEYS[11], '#ready')
            elseif head == 0 then redis.call('HSET', KEYS[11], '#ready', '1') end
            for c = 1, sums do
              redis.call('HINCRBY', KEYS[11], ARGV[i], ARGV[i + 1])
              i = i + 2
            end""";

    /** KEYS: seq, checksums. Returns the head, then the hash's fields and values. */
    static final String READ = """
            local out = redis.call('HGETALL', KEYS[2])
            table.insert(out, 1, redis.call('GET', KEYS[1]) or '0')
            return out
            """;

    /**
     * KEYS: seq, checksums. ARGV: the head the scan started at, then field and value pairs. Replaces the counters
     * only if no batch committed since the scan started (the head did not move) and they are still incomplete.
     * Returns 1 when it replaced them.
     */
    static final String REBUILD = """
            if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] or redis.call('HEXISTS', KEYS[2], '#ready') == 1 then return 0 end
            redis.call('DEL', KEYS[2])
            for j = 2, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[j], ARGV[j + 1]) end
            redis.call('HSET', KEYS[2], '#ready', '1')
            return 1
            """;

    private RedisChecksums() {}

    /** Appends a batch's increments to the write script's arguments. */
    static void appendArgs(List<String> args, ChecksumDelta delta) {
        int at = args.size();
        args.add("0");
        int pairs = 0;
        for (ChecksumDelta.Entry entry : delta.entries()) {
            String prefix = entry.table().length() + ":" + entry.table() + "|" + entry.bucket() + "|";
            pairs += add(args, prefix + "c", entry.count()) + add(args, prefix + "l", entry.low()) + add(args, prefix + "h", entry.high());
        }
        args.set(at, Integer.toString(pairs));
    }

    private static int add(List<String> args, String field, long value) {
        if (value == 0) {
            return 0;
        }
        args.add(field);
        args.add(Long.toString(value));
        return 1;
    }

    /** The arguments of {@link #REBUILD} for checksums computed by a scan from {@code head}. */
    static List<String> rebuildArgs(long head, ScopeChecksums scanned) {
        List<String> args = new ArrayList<>();
        args.add(Long.toString(head));
        for (TableChecksum table : scanned.tables()) {
            String name = table.table().length() + ":" + table.table() + "|";
            for (int bucket = 0; bucket < RowHash.BUCKETS; bucket++) {
                if (table.bucketCount(bucket) == 0) {
                    continue;
                }
                long sum = table.bucketSum(bucket);
                args.addAll(List.of(name + bucket + "|c", Long.toString(table.bucketCount(bucket)),
                        name + bucket + "|l", Long.toString(sum & 0xffff_ffffL), name + bucket + "|h", Long.toString(sum >>> 32)));
            }
        }
        return args;
    }

    /**
     * Parses {@link #READ}'s answer.
     *
     * @return the checksums, or null when the counters are incomplete (the scope predates them)
     */
    static ScopeChecksums parse(List<Object> result) {
        long head = Long.parseLong((String) result.get(0));
        Map<String, TableChecksum.Builder> tables = new LinkedHashMap<>();
        boolean ready = false;
        for (int j = 1; j + 1 < result.size(); j += 2) {
            String field = (String) result.get(j);
            if (READY.equals(field)) {
                ready = true;
                continue;
            }
            long value = Long.parseLong((String) result.get(j + 1));
            int colon = field.indexOf(':');
            int length = Integer.parseInt(field.substring(0, colon));
            String table = field.substring(colon + 1, colon + 1 + length);
            String rest = field.substring(colon + 2 + length);
            int bar = rest.indexOf('|');
            int bucket = Integer.parseInt(rest.substring(0, bar));
            TableChecksum.Builder builder = tables.computeIfAbsent(table, TableChecksum.Builder::new);
            switch (rest.charAt(bar + 1)) {
                case 'c' -> builder.addHalves(bucket, value, 0, 0);
                case 'l' -> builder.addHalves(bucket, 0, value, 0);
                default -> builder.addHalves(bucket, 0, 0, value);
            }
        }
        if (!ready && head > 0) {
            return null;
        }
        List<TableChecksum> checksums = new ArrayList<>();
        tables.values().forEach(builder -> checksums.add(builder.build()));
        return new ScopeChecksums(head, checksums);
    }
}
