package io.pocketsync.store.redis;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.KeyValue;
import io.lettuce.core.api.sync.RedisCommands;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ScopeNotes;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The operators' notes ({@link ScopeNotes}) in the scope's hash {@code <prefix>:{<scope>}:notes}, name → value. Each
 * name is a field of its own, so nodes writing different names never lose one another's; every node reads the same hash.
 * Durability follows Redis, like the data. Thread-safe.
 */
final class RedisScopeNotes implements ScopeNotes {
    private final RedisCommands<String, String> commands;
    private final String prefix;

    RedisScopeNotes(RedisCommands<String, String> commands, String prefix) {
        this.commands = requireNonNull(commands, "commands is null");
        this.prefix = requireNonNull(prefix, "prefix is null");
    }

    private String key(Scope scope) {
        return new RedisKeys(prefix, requireNonNull(scope, "scope is null")).notes();
    }

    @Override
    public Map<String, String> read(Scope scope) {
        String key = key(scope);
        return Map.copyOf(RedisCalls.call(() -> commands.hgetall(key)));
    }

    @Override
    public Map<String, String> read(Scope scope, Collection<String> names) {
        String key = key(scope);
        if (names.isEmpty()) {
            return Map.of();
        }
        String[] fields = names.toArray(String[]::new);
        List<KeyValue<String, String>> values = RedisCalls.call(() -> commands.hmget(key, fields));
        Map<String, String> found = new HashMap<>();
        for (KeyValue<String, String> value : values) {
            if (value.hasValue()) {
                found.put(value.getKey(), value.getValue());
            }
        }
        return found;
    }

    @Override
    public void write(Scope scope, Map<String, String> notes) {
        String key = key(scope);
        if (!notes.isEmpty()) {
            RedisCalls.call(() -> commands.hset(key, notes));
        }
    }

    @Override
    public void remove(Scope scope, Collection<String> names) {
        String key = key(scope);
        if (!names.isEmpty()) {
            String[] fields = names.toArray(String[]::new);
            RedisCalls.call(() -> commands.hdel(key, fields));
        }
    }
}
