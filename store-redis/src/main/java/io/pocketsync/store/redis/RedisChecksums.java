package io.pocketsync.store.redis;

import io.lettuce.core.ScriptOutputType;
import io.pocketsync.api.checksum.ChecksumDelta;
import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.ChecksumScan;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ServerStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scope's checksums of row state in Redis, kept at the coarse level ({@link ChecksumLevel#COARSE}, 16 buckets per
 * table), in two keys: {@link RedisKeys#checksumSums()}, a string of signed 64-bit big-endian integers, 32 per table
 * (its 16 coarse bucket row counts, then its 16 coarse bucket hash sums), and {@link RedisKeys#checksumTables()}, a
 * hash from {@code t:<table>} to the table's place in that string, plus {@code #n} (tables placed) and {@code #ready}.
 * The fine level a device asks for a table whose coarse level differs is computed from the rows when asked
 * ({@link RedisServerStore#fineChecksums}).
 *
 * <p>Why coarse: a batch of 1000 rows touches every one of a table's 256 fine buckets, and adding 512 counters per
 * batch cost the store about a tenth of its ingest, mostly client side (building, encoding and sending 1024 more
 * arguments; docs/benchmarks.md). The write script adds a batch's 32 increments per table with one
 * {@code BITFIELD ... OVERFLOW WRAP INCRBY i64}, from one argument per table: Redis does the 64-bit wrapping sum
 * itself, and every node sharing the Redis reads the same values.
 *
 * <p>{@code #ready} holds the head the sums are exact at. A batch adds its increments only when {@code #ready} is the
 * head it found (or the scope is new), and moves it to its own head; a write by anything that does not keep these sums
 * (a node configured without them, or of a version that keeps them elsewhere or in another layout) leaves
 * {@code #ready} behind the head, so the sums count as incomplete and the next read computes them once from the rows
 * ({@link #REBUILD}). The previous layout (256 fine buckets, keys {@code sumtables} and {@code sums}) and the first
 * version's counters are deleted by that rebuild.
 */
final class RedisChecksums {
    /** The write script's table count of a store that does not keep checksums: the kept ones become incomplete. */
    static final String NOT_KEPT = "-1";

    private static final int BUCKETS = ChecksumLevel.COARSE.buckets();
    /** Counters per table in the sums string: counts, then sums. */
    private static final int SLOTS = 2 * BUCKETS;
    private static final int TABLE_BYTES = SLOTS * Long.BYTES;

    /**
     * A Lua function both scripts use: appends to a BITFIELD call one {@code op} (INCRBY or SET) of each non-zero value
     * of a comma-separated list, to consecutive 64-bit counters from {@code slot}.
     */
    private static final String COUNTERS = """
            local function counters(call, op, slot, values)
              for value in string.gmatch(values, '[^,]+') do
                if value ~= '0' then
                  local c = #call
                  call[c + 1] = op; call[c + 2] = 'i64'; call[c + 3] = '#' .. slot; call[c + 4] = value
                end
                slot = slot + 1
              end
              return call
            end
            """;

    /**
     * Appended to the write script ({@code head} is the scope's head before the batch, {@code applied} the sequences it
     * takes): ARGV from {@code i} on: the table count, then per table its name and its 32 increments (16 counts, 16
     * sums) in one comma-separated argument; a table count of {@value #NOT_KEPT} marks the sums incomplete instead.
     */
    static final String WRITE_PART = COUNTERS + """
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
                local call = counters({'BITFIELD', KEYS[12], 'OVERFLOW', 'WRAP'}, 'INCRBY', tonumber(place) * 32, ARGV[i + 1])
                i = i + 2
                if #call > 4 then redis.call(unpack(call)) end
              end
              redis.call('HSET', KEYS[11], '#ready', string.format('%d', head + applied))
            end""";

    /**
     * KEYS: seq, tables, sums. Returns the head, the head the sums are exact at (empty when incomplete), then per
     * table its name and its 256 bytes of counters in hex (a binary value would not survive the string codec).
     */
    static final String READ = """
            local out = {redis.call('GET', KEYS[1]) or '0', redis.call('HGET', KEYS[2], '#ready') or ''}
            local fields = redis.call('HGETALL', KEYS[2])
            for j = 1, #fields, 2 do
              if string.sub(fields[j], 1, 2) == 't:' then
                local from = tonumber(fields[j + 1]) * 256
                local bytes = redis.call('GETRANGE', KEYS[3], from, from + 255)
                out[#out + 1] = string.sub(fields[j], 3)
                out[#out + 1] = (string.gsub(bytes, '.', function(c) return string.format('%02x', string.byte(c)) end))
              end
            end
            return out
            """;

    /**
     * KEYS: seq, tables, sums, then the keys of earlier layouts to delete (the previous 256-bucket tables and sums, the
     * first version's counters). ARGV: the head the scan started at, the table count, then per table its name and its
     * 32 values in one comma-separated argument. Replaces the sums only if no batch committed since the scan started
     * (the head did not move) and they are still not exact at it. Returns 1 when it replaced them.
     */
    static final String REBUILD = COUNTERS + """
            local head = redis.call('GET', KEYS[1]) or '0'
            if head ~= ARGV[1] or redis.call('HGET', KEYS[2], '#ready') == head then return 0 end
            redis.call('DEL', unpack(KEYS, 2))
            local tables = tonumber(ARGV[2])
            local i = 3
            for t = 0, tables - 1 do
              redis.call('HSET', KEYS[2], 't:' .. ARGV[i], t)
              local call = counters({'BITFIELD', KEYS[3]}, 'SET', t * 32, ARGV[i + 1])
              i = i + 2
              if #call > 2 then redis.call(unpack(call)) end
            end
            redis.call('HSET', KEYS[2], '#n', tables, '#ready', head)
            return 1
            """;

    /** Scans of a scope whose checksums predate it before one is returned without being kept (batches kept coming). */
    private static final int REBUILD_ATTEMPTS = 3;

    private RedisChecksums() {}

    /**
     * The coarse checksums as kept, or computed once from the rows (and kept, if no batch came meanwhile) when they are
     * not exact at the head: a scope written before them, in an earlier layout, or by a node that does not keep them.
     */
    static ScopeChecksums readCoarse(RedisCalls calls, RedisKeys keys, ServerStore store, Scope scope) {
        for (int attempt = 0; ; attempt++) {
            List<Object> result = calls.eval(READ, ScriptOutputType.MULTI,
                    List.of(keys.seq(), keys.checksumTables(), keys.checksumSums()), List.of());
            ScopeChecksums checksums = parse(result);
            if (checksums != null) {
                return checksums;
            }
            ScopeChecksums scanned = ChecksumScan.checksums(store, scope, ChecksumLevel.COARSE, null);
            List<String> rebuildKeys = new ArrayList<>(List.of(keys.seq(), keys.checksumTables(), keys.checksumSums()));
            rebuildKeys.addAll(keys.earlierChecksums());
            Long replaced = calls.eval(REBUILD, ScriptOutputType.INTEGER, rebuildKeys, rebuildArgs(scanned.sequence(), scanned));
            if (replaced == 1 || attempt >= REBUILD_ATTEMPTS) {
                return scanned;
            }
        }
    }

    /** Appends a batch's coarse increments to the write script's arguments. */
    static void appendArgs(List<String> args, ChecksumDelta delta) {
        if (delta.level() != ChecksumLevel.COARSE) {
            throw new IllegalArgumentException("the Redis store keeps the coarse level");
        }
        Map<String, long[]> tables = new LinkedHashMap<>();
        for (ChecksumDelta.Entry entry : delta.entries()) {
            long[] values = tables.computeIfAbsent(entry.table(), table -> new long[SLOTS]);
            values[entry.bucket()] = entry.count();
            values[BUCKETS + entry.bucket()] = entry.low() + (entry.high() << 32); // as Redis wraps it: modulo 2^64
        }
        args.add(Integer.toString(tables.size()));
        tables.forEach((table, values) -> {
            args.add(table);
            args.add(joined(values));
        });
    }

    /** The arguments of {@link #REBUILD} for checksums computed by a scan from {@code head}. */
    static List<String> rebuildArgs(long head, ScopeChecksums scanned) {
        List<String> args = new ArrayList<>();
        args.add(Long.toString(head));
        args.add(Integer.toString(scanned.tables().size()));
        for (TableChecksum table : scanned.coarse().tables()) {
            args.add(table.table());
            long[] values = new long[SLOTS];
            for (int bucket = 0; bucket < BUCKETS; bucket++) {
                values[bucket] = table.bucketCount(bucket);
                values[BUCKETS + bucket] = table.bucketSum(bucket);
            }
            args.add(joined(values));
        }
        return args;
    }

    private static String joined(long[] values) {
        StringBuilder text = new StringBuilder(values.length * 8);
        for (long value : values) {
            if (!text.isEmpty()) {
                text.append(',');
            }
            text.append(value);
        }
        return text.toString();
    }

    /**
     * Parses {@link #READ}'s answer.
     *
     * @return the coarse checksums, or null when they are not exact at the head (a scope written before them, or by a
     *         node that does not keep them)
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
            long[] counts = new long[BUCKETS];
            long[] sums = new long[BUCKETS];
            for (int bucket = 0; bucket < BUCKETS; bucket++) {
                counts[bucket] = bytes.getLong();
            }
            for (int bucket = 0; bucket < BUCKETS; bucket++) {
                sums[bucket] = bytes.getLong();
            }
            checksums.add(TableChecksum.of((String) result.get(j), counts, sums)); // one without rows is left out there
        }
        return new ScopeChecksums(head, checksums);
    }
}
