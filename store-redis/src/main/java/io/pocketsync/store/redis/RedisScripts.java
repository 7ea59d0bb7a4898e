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
     * KEYS: seq, rows, ids. ARGV: row count, row fields..., change ids... Returns head, row values ('' if absent), id flags.
     * Row values come from one HMGET per {@value #CHUNK} fields.
     */
    static final String READ = """
            local function scores(key, members)
              local out = {}
              for from = 1, #members, %1$d do
                local last = math.min(#members, from + %1$d - 1)
                -- ZMSCORE (Redis 6.2+) answers a whole chunk in one call; older servers get one ZSCORE per member.
                local ok, values = pcall(redis.call, 'ZMSCORE', key, unpack(members, from, last))
                if not ok then
                  values = {}
                  for j = from, last do values[#values + 1] = redis.call('ZSCORE', key, members[j]) end
                end
                for j = 1, last - from + 1 do out[#out + 1] = values[j] end
              end
              return out
            end
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
            local ids = {}
            for i = n + 2, #ARGV do ids[#ids + 1] = ARGV[i] end
            for _, score in ipairs(scores(KEYS[3], ids)) do
              if score then out[#out + 1] = '1' else out[#out + 1] = '0' end
            end
            return out
            """.formatted(CHUNK);

    /**
     * KEYS: seq, rows, bylast, tombs, ids, audit, auditat, auditseq.
     * ARGV: now, applied count, channel, feed event, base (the head the plan was made against),
     * n = rows read, k = rows written, the expected last sequences of the n rows read (space-separated, 0 when
     * absent), the written rows' flags (two characters each: first sequence assigned by this batch 1/0, was a
     * tombstone 1/0), m = ids, then n row fields (the k written rows first), k stored values
     * ({@code first|last|deleted|json} as planned), m change ids, audit count, audit json...
     * Sequences the batch assigned move by the difference between the real head and base; a stored value is
     * only rebuilt when that difference is not 0.
     * Publishes {@code <head before>|<feed event>} and then {@code \n<stored value>} for every written row: the
     * event names those rows instead of carrying their images a second time ({@link RedisFeed}).
     * Returns the head before the batch, or -1 when a row or id changed since it was read (retry).
     * Three arguments per change: per-argument overhead (client encoding, request parsing, Lua strings)
     * cost more than the script's own work when every number was an argument of its own. Writes go out as
     * multi-member HSET/ZADD calls of at most {@value #CHUNK} members.
     */
    static final String WRITE = """
            local function scores(key, members)
              local out = {}
              for from = 1, #members, %1$d do
                local last = math.min(#members, from + %1$d - 1)
                -- ZMSCORE (Redis 6.2+) answers a whole chunk in one call; older servers get one ZSCORE per member.
                local ok, values = pcall(redis.call, 'ZMSCORE', key, unpack(members, from, last))
                if not ok then
                  values = {}
                  for j = from, last do values[#values + 1] = redis.call('ZSCORE', key, members[j]) end
                end
                for j = 1, last - from + 1 do out[#out + 1] = values[j] end
              end
              return out
            end
            local function flush(command, key, args)
              if #args > 0 then redis.call(command, key, unpack(args)) end
              return {}
            end
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
            local fields = {}
            for c = 1, n do fields[c] = ARGV[fieldsAt + c - 1] end
            local c = 0
            local stored = scores(KEYS[3], fields)
            -- bylast holds every row's last sequence as its score: the same check as the row value, without decoding it.
            for expected in string.gmatch(ARGV[8], '%%d+') do
              c = c + 1
              if tonumber(stored[c] or '0') ~= tonumber(expected) then return -1 end
            end
            local pending = {}
            for c = idsAt, idsAt + m - 1 do pending[#pending + 1] = ARGV[c] end
            for _, score in ipairs(scores(KEYS[5], pending)) do
              if score then return -1 end
            end
            local args = {}
            for c = idsAt, idsAt + m - 1 do
              args[#args + 1] = now
              args[#args + 1] = ARGV[c]
              if #args >= 2 * %1$d then args = flush('ZADD', KEYS[5], args) end
            end
            flush('ZADD', KEYS[5], args)
            local head
            if applied > 0 then head = redis.call('INCRBY', KEYS[1], applied) - applied
            else head = tonumber(redis.call('GET', KEYS[1]) or '0') end
            local delta = head - base
            local values, lasts, tombs, revived, written = {}, {}, {}, {}, {}
            for c = 1, k do
              local field = fields[c]
              local value = ARGV[valuesAt + c - 1]
              local first, last, deleted, json = string.match(value, '^(%%d+)|(%%d+)|(%%d)|()')
              if delta ~= 0 then
                -- The head moved since the read: move this batch's sequences by delta and rebuild the value.
                if string.sub(flags, 2 * c - 1, 2 * c - 1) == '1' then first = string.format('%%d', tonumber(first) + delta) end
                last = string.format('%%d', tonumber(last) + delta)
                value = first .. '|' .. last .. '|' .. deleted .. '|' .. string.sub(value, json)
              end
              values[#values + 1] = field
              values[#values + 1] = value
              written[c] = value
              lasts[#lasts + 1] = last
              lasts[#lasts + 1] = field
              if deleted == '1' then
                tombs[#tombs + 1] = now
                tombs[#tombs + 1] = field
              elseif string.sub(flags, 2 * c, 2 * c) == '1' then
                revived[#revived + 1] = field
              end
              if #values >= 2 * %1$d then
                values = flush('HSET', KEYS[2], values)
                lasts = flush('ZADD', KEYS[3], lasts)
              end
              if #tombs >= 2 * %1$d then tombs = flush('ZADD', KEYS[4], tombs) end
              if #revived >= %1$d then revived = flush('ZREM', KEYS[4], revived) end
            end
            flush('HSET', KEYS[2], values)
            flush('ZADD', KEYS[3], lasts)
            flush('ZADD', KEYS[4], tombs)
            flush('ZREM', KEYS[4], revived)
            local i = idsAt + m
            local audits = tonumber(ARGV[i]); i = i + 1
            if audits > 0 then
              local id = redis.call('INCRBY', KEYS[8], audits) - audits
              local entries, times = {}, {}
              for c = 1, audits do
                id = id + 1
                entries[#entries + 1] = id
                entries[#entries + 1] = id .. '|' .. ARGV[i]
                times[#times + 1] = now
                times[#times + 1] = id
                if #entries >= 2 * %1$d then
                  entries = flush('ZADD', KEYS[6], entries)
                  times = flush('ZADD', KEYS[7], times)
                end
                i = i + 1
              end
              flush('ZADD', KEYS[6], entries)
              flush('ZADD', KEYS[7], times)
            end
            if applied > 0 then
              redis.call('PUBLISH', ARGV[3], string.format('%%d', head) .. '|' .. ARGV[4] .. '\\n' .. table.concat(written, '\\n'))
            end
            return head
            """.formatted(CHUNK);

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
     * KEYS: rows, bylast, tombs, ids, audit, auditat, horizon, seq. ARGV: cut (epoch ms, exclusive), chunk.
     * Removes at most {@code chunk} tombstones, {@code chunk} idempotency records and {@code chunk} audit
     * entries older than the cut, so one call never blocks Redis for long; the caller repeats while the
     * second result is 1. The horizon is raised within the same atomic call as the tombstones it covers.
     * Returns {horizon, more (1/0)}.
     */
    static final String PRUNE = """
            local cut = '(' .. ARGV[1]
            local chunk = tonumber(ARGV[2])
            local horizon = tonumber(redis.call('GET', KEYS[7]) or '0')
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
            local ids = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', cut, 'LIMIT', 0, chunk)
            if #ids > 0 then redis.call('ZREM', KEYS[4], unpack(ids)) end
            if #ids == chunk then more = 1 end
            local old = redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', cut, 'LIMIT', 0, chunk)
            for _, id in ipairs(old) do
              redis.call('ZREMRANGEBYSCORE', KEYS[5], id, id)
              redis.call('ZREM', KEYS[6], id)
            end
            if #old == chunk then more = 1 end
            if horizon > 0 then redis.call('SET', KEYS[7], string.format('%d', horizon)) end
            return { horizon, more }
            """;

}
