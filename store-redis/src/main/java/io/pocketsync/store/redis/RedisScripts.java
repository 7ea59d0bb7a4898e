package io.pocketsync.store.redis;

/**
 * The Lua scripts. Each touches only keys of one scope (one hash tag) and is atomic on the Redis server.
 *
 * <p>A row is stored as {@code <first>|<last>|<deleted 0/1>|<json>}: the scripts assign sequences by
 * string concatenation and never decode the JSON (Lua's cjson would round large integers).
 */
final class RedisScripts {
    private RedisScripts() {}

    /** KEYS: seq, rows, ids. ARGV: row count, row fields..., change ids... Returns head, row values ('' if absent), id flags. */
    static final String READ = """
            local n = tonumber(ARGV[1])
            local out = { redis.call('GET', KEYS[1]) or '0' }
            for i = 2, n + 1 do
              out[#out + 1] = redis.call('HGET', KEYS[2], ARGV[i]) or ''
            end
            for i = n + 2, #ARGV do
              if redis.call('ZSCORE', KEYS[3], ARGV[i]) then out[#out + 1] = '1' else out[#out + 1] = '0' end
            end
            return out
            """;

    /**
     * KEYS: seq, rows, bylast, tombs, ids, audit, auditat, auditseq.
     * ARGV: now, applied count, channel, feed payload, check count, (field, expected last)..., id count, ids...,
     * row count, (field, first or -1, first offset, last offset, deleted, json)..., audit count, audit json...
     * Returns the head before the batch, or -1 when a row or id changed since it was read (retry).
     */
    static final String WRITE = """
            local now = ARGV[1]
            local applied = tonumber(ARGV[2])
            local i = 5
            local checks = tonumber(ARGV[i]); i = i + 1
            for c = 1, checks do
              local current = redis.call('HGET', KEYS[2], ARGV[i])
              local last = '0'
              if current then last = string.match(current, '^%d+|(%d+)|') end
              if last ~= ARGV[i + 1] then return -1 end
              i = i + 2
            end
            local ids = tonumber(ARGV[i]); i = i + 1
            for c = i, i + ids - 1 do
              if redis.call('ZSCORE', KEYS[5], ARGV[c]) then return -1 end
            end
            for c = i, i + ids - 1 do
              redis.call('ZADD', KEYS[5], now, ARGV[c])
            end
            i = i + ids
            local head = tonumber(redis.call('GET', KEYS[1]) or '0')
            if applied > 0 then redis.call('SET', KEYS[1], string.format('%d', head + applied)) end
            local rows = tonumber(ARGV[i]); i = i + 1
            for c = 1, rows do
              local field = ARGV[i]
              local first = tonumber(ARGV[i + 1])
              if first < 0 then first = head + tonumber(ARGV[i + 2]) end
              local last = string.format('%d', head + tonumber(ARGV[i + 3]))
              local deleted = ARGV[i + 4]
              redis.call('HSET', KEYS[2], field, string.format('%d', first) .. '|' .. last .. '|' .. deleted .. '|' .. ARGV[i + 5])
              redis.call('ZADD', KEYS[3], last, field)
              if deleted == '1' then redis.call('ZADD', KEYS[4], now, field) else redis.call('ZREM', KEYS[4], field) end
              i = i + 6
            end
            local audits = tonumber(ARGV[i]); i = i + 1
            for c = 1, audits do
              local id = redis.call('INCR', KEYS[8])
              redis.call('ZADD', KEYS[6], id, id .. '|' .. ARGV[i])
              redis.call('ZADD', KEYS[7], now, id)
              i = i + 1
            end
            if applied > 0 then redis.call('PUBLISH', ARGV[3], string.format('%d', head) .. '|' .. ARGV[4]) end
            return head
            """;

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
