package io.pocketsync.store.redis;

/**
 * The Lua scripts. Each touches only keys of one scope (one hash tag) and is atomic on the Redis server.
 *
 * <p>A row is stored as {@code <first>|<last>|<deleted 0/1>|<json>}: the scripts assign sequences by
 * string concatenation and never decode the JSON (Lua's cjson would round large integers).
 */
final class RedisScripts {
    /** Most members per multi-member call: far below the Lua stack limit {@code unpack} runs into. */
    static final int CHUNK = 1000;

    private RedisScripts() {}

    /**
     * Lua helpers over ARGV[from..to], in chunks of {@value #CHUNK}: {@code zscores(key, from, to)} (ZMSCORE) and
     * {@code members(key, from, to)} (SMISMEMBER, 1/0) return the answer per argument; both commands are Redis
     * 6.2+, older servers get one ZSCORE/SISMEMBER per argument. {@code scores(key, from, to, visit)} is true as
     * soon as {@code visit} is for a score. {@code processed(from, to, visit)} calls {@code visit(i, true/false)}
     * for ARGV[from..to] by whether it is a processed change id (in the set {@code pids}), and is true as soon
     * as visit is.
     */
    private static String helpers(int processedKey) {
        return """
            local function chunked(command, key, from, to, fallback)
              if to - from < %1$d then
                local ok, values = pcall(redis.call, command, key, unpack(ARGV, from, to))
                if ok then return values end
              end
              local out = {}
              for start = from, to, %1$d do
                local stop = math.min(to, start + %1$d - 1)
                local ok, values = pcall(redis.call, command, key, unpack(ARGV, start, stop))
                if not ok then
                  values = {}
                  for j = start, stop do values[j - start + 1] = redis.call(fallback, key, ARGV[j]) end
                end
                for j = 1, stop - start + 1 do out[start - from + j] = values[j] end
              end
              return out
            end
            local function zscores(key, from, to) return chunked('ZMSCORE', key, from, to, 'ZSCORE') end
            local function members(key, from, to) return chunked('SMISMEMBER', key, from, to, 'SISMEMBER') end
            local function scores(key, from, to, visit)
              local values = zscores(key, from, to)
              for j = 1, to - from + 1 do
                if visit(values[j]) then return true end
              end
              return false
            end
            local function processed(from, to, visit)
              if to < from then return false end
              local inSet = members(KEYS[%2$d], from, to)
              for j = 1, to - from + 1 do
                if visit(from + j - 1, inSet[j] == 1) then return true end
              end
              return false
            end
            """.formatted(CHUNK, processedKey);
    }

    /**
     * KEYS: seq, rows, pids. ARGV: row count, row fields..., change ids...
     * Returns head, row values ('' if absent), id flags (1 when processed). Row values come from one HMGET per
     * {@value #CHUNK} fields.
     */
    static final String READ = helpers(3) + """
            local n = tonumber(ARGV[1])
            local out = { redis.call('GET', KEYS[1]) or '0' }
            local fields = {}
            for i = 2, n + 1 do
              fields[#fields + 1] = ARGV[i]
              if #fields == %1$d or i == n + 1 then
                local values = redis.call('HMGET', KEYS[2], unpack(fields))
                for j = 1, #values do out[#out + 1] = values[j] or '' end
                fields = {}
              end
            end
            processed(n + 2, #ARGV, function(_, seen)
              if seen then out[#out + 1] = '1' else out[#out + 1] = '0' end
            end)
            return out
            """.formatted(CHUNK);

    /**
     * KEYS: seq, rows, bylast, tombs, audit, auditat, auditseq, pids, idbatches, claims, checksums.
     * ARGV: now, applied count, channel, feed event, base (the head the plan was made against),
     * n = rows read, k = rows written, the expected last sequences of the n rows read (space-separated, 0 when
     * absent), the written rows' flags (two characters each: first sequence assigned by this batch 1/0, was a
     * tombstone 1/0), m = ids, then n row fields (the k written rows first), k stored values
     * ({@code first|last|deleted|json} as planned), m change ids, audit count, audit json..., claim count, then per
     * claim its field, the holder the plan read and the new holder ({@code ''}: none; see {@link RedisUniqueClaims})...,
     * then the checksum increments ({@link RedisChecksums}).
     * Sequences the batch assigned move by the difference between the real head and base; a stored value is
     * only rebuilt when that difference is not 0.
     * Publishes {@code <head before>|<feed event>} and then {@code \n<stored value>} for every written row: the
     * event names those rows instead of carrying their images a second time ({@link RedisFeed}).
     * Returns the head before the batch, or -1 when a row or id changed since it was read (retry).
     * Three arguments per change: per-argument overhead (client encoding, request parsing, Lua strings)
     * cost more than the script's own work when every number was an argument of its own. Checks read the
     * arguments in place (ZMSCORE over ARGV ranges) and writes go out as multi-member HSET/ZADD calls of at most
     * {@value #CHUNK} members built with plain counters: about a tenth less Redis CPU per batch than building a
     * Lua table per step and asking its length on every append.
     */
    static final String WRITE = helpers(8) + """
            local now = ARGV[1]
            local applied = tonumber(ARGV[2])
            local base = tonumber(ARGV[5])
            local n = tonumber(ARGV[6])
            local k = tonumber(ARGV[7])
            local flags = ARGV[9]
            local m = tonumber(ARGV[10])
            local fieldsAt = 11
            local valuesAt = fieldsAt + n
            local idsAt = valuesAt + k
            -- bylast holds every row's last sequence as its score: the same check as the row value, without decoding it.
            local expected = string.gmatch(ARGV[8], '%%d+')
            if n > 0 and scores(KEYS[3], fieldsAt, fieldsAt + n - 1, function(score) return tonumber(score or '0') ~= tonumber(expected()) end) then
              return -1
            end
            -- Unique claims (RedisUniqueClaims) follow the audits: each must still have the holder the plan read.
            local claimsAt = idsAt + m + 1 + tonumber(ARGV[idsAt + m])
            local claims = tonumber(ARGV[claimsAt] or '0')
            for c = 0, claims - 1 do
              local at = claimsAt + 1 + 3 * c
              if (redis.call('HGET', KEYS[10], ARGV[at]) or '') ~= ARGV[at + 1] then return -1 end
            end
            if m > 0 then
              if processed(idsAt, idsAt + m - 1, function(_, seen) return seen end) then return -1 end
              -- The ids go into the set straight from ARGV; when they were processed is one record for the batch.
              for start = idsAt, idsAt + m - 1, %1$d do
                redis.call('SADD', KEYS[8], unpack(ARGV, start, math.min(idsAt + m - 1, start + %1$d - 1)))
              end
              redis.call('ZADD', KEYS[9], now, table.concat(ARGV, ' ', idsAt, idsAt + m - 1))
            end
            local head
            if applied > 0 then head = redis.call('INCRBY', KEYS[1], applied) - applied
            else head = tonumber(redis.call('GET', KEYS[1]) or '0') end
            local delta = head - base
            local values, lasts, tombs, revived, written = {}, {}, {}, {}, {}
            local v, t, r = 0, 0, 0
            for c = 1, k do
              local field = ARGV[fieldsAt + c - 1]
              local value = ARGV[valuesAt + c - 1]
              local first, last, deleted, json = string.match(value, '^(%%d+)|(%%d+)|(%%d)|()')
              if delta ~= 0 then
                -- The head moved since the read: move this batch's sequences by delta and rebuild the value.
                if string.sub(flags, 2 * c - 1, 2 * c - 1) == '1' then first = string.format('%%d', tonumber(first) + delta) end
                last = string.format('%%d', tonumber(last) + delta)
                value = first .. '|' .. last .. '|' .. deleted .. '|' .. string.sub(value, json)
              end
              values[v + 1] = field
              values[v + 2] = value
              lasts[v + 1] = last
              lasts[v + 2] = field
              v = v + 2
              written[c] = value
              if deleted == '1' then
                tombs[t + 1] = now
                tombs[t + 2] = field
                t = t + 2
              elseif string.sub(flags, 2 * c, 2 * c) == '1' then
                r = r + 1
                revived[r] = field
              end
              if v >= 2 * %1$d then
                redis.call('HSET', KEYS[2], unpack(values, 1, v))
                redis.call('ZADD', KEYS[3], unpack(lasts, 1, v))
                v = 0
              end
              if t >= 2 * %1$d then redis.call('ZADD', KEYS[4], unpack(tombs, 1, t)); t = 0 end
              if r >= %1$d then redis.call('ZREM', KEYS[4], unpack(revived, 1, r)); r = 0 end
            end
            if v > 0 then
              redis.call('HSET', KEYS[2], unpack(values, 1, v))
              redis.call('ZADD', KEYS[3], unpack(lasts, 1, v))
            end
            if t > 0 then redis.call('ZADD', KEYS[4], unpack(tombs, 1, t)) end
            if r > 0 then redis.call('ZREM', KEYS[4], unpack(revived, 1, r)) end
            local i = idsAt + m
            local audits = tonumber(ARGV[i]); i = i + 1
            if audits > 0 then
              local id = redis.call('INCRBY', KEYS[7], audits) - audits
              local entries, times = {}, {}
              for c = 1, audits do
                id = id + 1
                entries[#entries + 1] = id
                entries[#entries + 1] = id .. '|' .. ARGV[i]
                times[#times + 1] = now
                times[#times + 1] = id
                if #entries >= 2 * %1$d then
                  redis.call('ZADD', KEYS[5], unpack(entries))
                  redis.call('ZADD', KEYS[6], unpack(times))
                  entries, times = {}, {}
                end
                i = i + 1
              end
              if #entries > 0 then
                redis.call('ZADD', KEYS[5], unpack(entries))
                redis.call('ZADD', KEYS[6], unpack(times))
              end
            end
            for c = 0, claims - 1 do
              local at = claimsAt + 1 + 3 * c
              if ARGV[at + 2] == '' then redis.call('HDEL', KEYS[10], ARGV[at])
              else redis.call('HSET', KEYS[10], ARGV[at], ARGV[at + 2]) end
            end
            i = claimsAt + 1 + 3 * claims
            %2$s
            if applied > 0 then
              redis.call('PUBLISH', ARGV[3], string.format('%%d', head) .. '|' .. ARGV[4] .. '\\n' .. table.concat(written, '\\n'))
            end
            return head
            """.formatted(CHUNK, RedisChecksums.WRITE_PART);

    /**
     * KEYS: rows, bylast. ARGV: after, limit, include deleted (1/0), scan budget.
     * Returns next cursor, more (1/0), row values... Tombstones skipped before the page is full move the
     * cursor past them; the scan budget bounds the work of a page full of tombstones.
     */
    static final String PAGE = """
            local limit = tonumber(ARGV[2])
            local include = ARGV[3] == '1'
            local budget = tonumber(ARGV[4])
            local out = { ARGV[1], '0' }
            local found = 0
            local from = ARGV[1]
            local scanned = 0
            while true do
              local members = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. from, '+inf', 'WITHSCORES', 'LIMIT', 0, limit + 1)
              if #members == 0 then return out end
              for j = 1, #members, 2 do
                local value = redis.call('HGET', KEYS[1], members[j])
                local score = members[j + 1]
                if include or string.match(value, '^%d+|%d+|(%d)|') == '0' then
                  if found == limit then out[2] = '1'; return out end
                  found = found + 1
                  out[#out + 1] = value
                  out[1] = score
                elseif found < limit then
                  out[1] = score
                end
                from = score
                scanned = scanned + 1
                if scanned >= budget then
                  if redis.call('ZCOUNT', KEYS[2], '(' .. from, '+inf') > 0 then out[2] = '1' end
                  return out
                end
              end
              if #members < 2 * (limit + 1) then return out end
            end
            """;

    /**
     * KEYS: rows, bylast, tombs, audit, auditat, horizon, seq, pids, idbatches. ARGV: cut (epoch ms, exclusive),
     * chunk. Removes at most {@code chunk} tombstones, the ids of batches recorded before the cut until at least {@code chunk} ids are gone (whole batches), and
     * {@code chunk} audit entries older than the cut, so one call never blocks Redis for long; the caller repeats while the
     * second result is 1. The horizon is raised within the same atomic call as the tombstones it covers.
     * Returns {horizon, more (1/0)}.
     */
    static final String PRUNE = """
            local cut = '(' .. ARGV[1]
            local chunk = tonumber(ARGV[2])
            local horizon = tonumber(redis.call('GET', KEYS[6]) or '0')
            local more = 0
            local doomed = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', cut, 'LIMIT', 0, chunk)
            for _, field in ipairs(doomed) do
              local last = tonumber(redis.call('ZSCORE', KEYS[2], field) or '0')
              if last > horizon then horizon = last end
              redis.call('HDEL', KEYS[1], field)
              redis.call('ZREM', KEYS[2], field)
              redis.call('ZREM', KEYS[3], field)
            end
            if #doomed == chunk then more = 1 end
            local removed = 0
            while removed < chunk do
              local batch = redis.call('ZRANGEBYSCORE', KEYS[9], '-inf', cut, 'LIMIT', 0, 1)[1]
              if not batch then break end
              local done, n = {}, 0
              for id in string.gmatch(batch, '%%S+') do
                n = n + 1
                done[n] = id
                if n == %1$d then redis.call('SREM', KEYS[8], unpack(done, 1, n)); removed = removed + n; n = 0 end
              end
              if n > 0 then redis.call('SREM', KEYS[8], unpack(done, 1, n)); removed = removed + n end
              redis.call('ZREM', KEYS[9], batch)
            end
            if removed >= chunk then more = 1 end
            local old = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', cut, 'LIMIT', 0, chunk)
            for _, id in ipairs(old) do
              redis.call('ZREMRANGEBYSCORE', KEYS[4], id, id)
              redis.call('ZREM', KEYS[5], id)
            end
            if #old == chunk then more = 1 end
            if horizon > 0 then redis.call('SET', KEYS[6], string.format('%%d', horizon)) end
            return { horizon, more }
            """.formatted(CHUNK);

}
