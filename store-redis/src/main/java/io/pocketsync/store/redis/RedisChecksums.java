package io.pocketsync.store.redis;

import io.pocketsync.api.checksum.ChecksumDelta;
import io.pocketsync.api.checksum.RowHash;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.checksum.TableChecksum;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scope's checksums of row state in Redis, in two keys: {@link RedisKeys#checksumSums()}, a string of signed 64-bit
 * big-endian integers, 512 per table (its 256 bucket row counts, then its 256 bucket hash sums, the same layout as
 * the SQLite store's blob), and {@link RedisKeys#checksumTables()}, a hash from {@code t:<table>} to the table's
 * place in that string, plus {@code #n} (tables placed) and {@code #ready}.
 *
 * <p>The write script adds a batch's increments with one {@code BITFIELD ... OVERFLOW WRAP INCRBY i64} per table:
 * Redis does the 64-bit wrapping sum itself, so a batch costs one call per table instead of one per counter, and
 * every node sharing the Redis reads the same values.
 *
 * <p>{@code #ready} holds the head the sums are exact at. A batch adds its increments only when {@code #ready} is the
 * head it found (or the scope is new), and moves it to its own head; a write by anything that does not keep the sums
 * (a node configured without them, or of a version that keeps them elsewhere) leaves {@code #ready} behind the head,
 * so the sums count as incomplete and the next read computes them once from the rows ({@link #REBUILD}).
 */
final class RedisChecksums {
    /** The write script's table count of a store that does not keep checksums: the kept ones become incomplete. */
    static final String NOT_KEPT = "-1";

    /** Counters per table in the sums string: counts, then sums. */
    private static final int SLOTS = 2 * RowHash.BUCKETS;
    private static final int TABLE_BYTES = SLOTS * Long.BYTES;

    /**
     * Appended to the write script ({@code head} is the scope's head before the batch, {@code applied} the sequences it
     * takes): ARGV from {@code i} on: the table count, then per table its name, an increment count and (slot, increment)
     * pairs; a table count of {@value #NOT_KEPT} marks the sums incomplete instead.
     */
    static final String WRITE_PART = """
            local tables = tonumber(ARGV[i] or '0'); i = i + 1
            local exactAt = redis.call('HGET', KEYS[11], '#ready')
            if tables < 0 or (head ~= 0 and exactAt ~= string.format('%d', head)) then
              if exactAt then redis.call('HDEL', KEYS[11], '#ready') end
            else
              for t = 1, tables do
                local place = redis.call('HGET', KEYS[11], 't:' .. ARGV[i])
                if not place then
                  place = redis.call('HINCRBY', KEYS[11], '#n', 1) - 1
                  redis.call('HSET', KEYS[11], 't:' .. ARGV[i], place)
                end
                local base = tonumber(place) * 512
                local ops = tonumber(ARGV[i + 1]); i = i + 2
                local call = {'BITFIELD', KEYS[12], 'OVERFLOW', 'WRAP'}
                for o = 1, ops do
                  local c = #call
                  call[c + 1] = 'INCRBY'; call[c + 2] = 'i64'; call[c + 3] = '#' .. (base + tonumber(ARGV[i])); call[c + 4] = ARGV[i + 1]
                  i = i + 2
                end
                if ops > 0 then redis.call(unpack(call)) end
              end
              redis.call('HSET', KEYS[11], '#ready', string.format('%d', head + applied))
            end""";

    /**
     * KEYS: seq, tables, sums. Returns the head, the head the sums are exact at (empty when incomplete), then per
     * table its name and its 4096 bytes of counters in hex (a binary value would not survive the string codec).
     */
    static final String READ = """
            local out = {redis.call('GET', KEYS[1]) or '0', redis.call('HGET', KEYS[2], '#ready') or ''}
            local fields = redis.call('HGETALL', KEYS[2])
            for j = 1, #fields, 2 do
              if string.sub(fields[j], 1, 2) == 't:' then
                local from = tonumber(fields[j + 1]) * 4096
                local bytes = redis.call('GETRANGE', KEYS[3], from, from + 4095)
                out[#out + 1] = string.sub(fields[j], 3)
                out[#out + 1] = (string.gsub(bytes, '.', function(c) return string.format('%02x', string.byte(c)) end))
              end
            end
            return out
            """;

    /**
     * KEYS: seq, tables, sums, the first version's counters. ARGV: the head the scan started at, the table count, then
     * per table its name, a value count and (slot, value) pairs. Replaces the sums only if no batch committed since the
     * scan started (the head did not move) and they are still not exact at it. Returns 1 when it replaced them.
     */
    static final String REBUILD = """
            local head = redis.call('GET', KEYS[1]) or '0'
            if head ~= ARGV[1] or redis.call('HGET', KEYS[2], '#ready') == head then return 0 end
            redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
            local tables = tonumber(ARGV[2])
            local i = 3
            for t = 0, tables - 1 do
              redis.call('HSET', KEYS[2], 't:' .. ARGV[i], t)
              local ops = tonumber(ARGV[i + 1]); i = i + 2
              local call = {'BITFIELD', KEYS[3]}
              for o = 1, ops do
                local c = #call
                call[c + 1] = 'SET'; call[c + 2] = 'i64'; call[c + 3] = '#' .. (t * 512 + tonumber(ARGV[i])); call[c + 4] = ARGV[i + 1]
                i = i + 2
              end
              if ops > 0 then redis.call(unpack(call)) end
            end
            redis.call('HSET', KEYS[2], '#n', tables, '#ready', head)
            return 1
            """;

    private RedisChecksums() {}

    /** Appends a batch's increments to the write script's arguments. */
    static void appendArgs(List<String> args, ChecksumDelta delta) {
        Map<String, List<String>> tables = new LinkedHashMap<>();
        for (ChecksumDelta.Entry entry : delta.entries()) {
            List<String> ops = tables.computeIfAbsent(entry.table(), table -> new ArrayList<>());
            if (entry.count() != 0) {
                ops.add(Integer.toString(entry.bucket()));
                ops.add(Long.toString(entry.count()));
            }
            long sum = entry.low() + (entry.high() << 32); // the halves' change, as Redis wraps it: modulo 2^64
            if (sum != 0) {
                ops.add(Integer.toString(RowHash.BUCKETS + entry.bucket()));
                ops.add(Long.toString(sum));
            }
        }
        args.add(Integer.toString(tables.size()));
        tables.forEach((table, ops) -> {
            args.add(table);
            args.add(Integer.toString(ops.size() / 2));
            args.addAll(ops);
        });
    }

    /** The arguments of {@link #REBUILD} for checksums computed by a scan from {@code head}. */
    static List<String> rebuildArgs(long head, ScopeChecksums scanned) {
        List<String> args = new ArrayList<>();
        args.add(Long.toString(head));
        args.add(Integer.toString(scanned.tables().size()));
        for (TableChecksum table : scanned.tables()) {
            args.add(table.table());
            List<String> values = new ArrayList<>();
            for (int bucket = 0; bucket < RowHash.BUCKETS; bucket++) {
                if (table.bucketCount(bucket) != 0) {
                    values.addAll(List.of(Integer.toString(bucket), Long.toString(table.bucketCount(bucket)),
                            Integer.toString(RowHash.BUCKETS + bucket), Long.toString(table.bucketSum(bucket))));
                }
            }
            args.add(Integer.toString(values.size() / 2));
            args.addAll(values);
        }
        return args;
    }

    /**
     * Parses {@link #READ}'s answer.
     *
     * @return the checksums, or null when they are not exact at the head (a scope written before them, or by a node
     *         that does not keep them)
     */
    static ScopeChecksums parse(List<Object> result) {
        long head = Long.parseLong((String) result.get(0));
        String exactAt = (String) result.get(1);
        if (head > 0 && !exactAt.equals(Long.toString(head))) {
            return null;
        }
        List<TableChecksum> checksums = new ArrayList<>();
        for (int j = 2; j + 1 < result.size(); j += 2) {
            ByteBuffer bytes = ByteBuffer.allocate(TABLE_BYTES);
            bytes.put(HexFormat.of().parseHex((String) result.get(j + 1))); // a table never counted to the end is shorter
            bytes.flip().limit(TABLE_BYTES);
            long[] counts = new long[RowHash.BUCKETS];
            long[] sums = new long[RowHash.BUCKETS];
            for (int bucket = 0; bucket < RowHash.BUCKETS; bucket++) {
                counts[bucket] = bytes.getLong();
            }
            for (int bucket = 0; bucket < RowHash.BUCKETS; bucket++) {
                sums[bucket] = bytes.getLong();
            }
            checksums.add(TableChecksum.of((String) result.get(j), counts, sums)); // one without rows is left out there
        }
        return new ScopeChecksums(head, checksums);
    }
}
