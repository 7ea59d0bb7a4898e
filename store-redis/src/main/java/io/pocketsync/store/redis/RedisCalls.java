package io.pocketsync.store.redis;

import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs commands and Lua scripts on the store's connection, turning Redis failures into {@code STORE_UNAVAILABLE}.
 * Scripts go by SHA-1 ({@code EVALSHA}) once Redis has them cached. Thread-safe.
 */
final class RedisCalls {
    private final RedisCommands<String, String> commands;
    private final Map<String, String> shas = new ConcurrentHashMap<>();

    RedisCalls(RedisCommands<String, String> commands) {
        this.commands = commands;
    }

    <T> T eval(String script, ScriptOutputType type, List<String> keys, List<String> args) {
        String[] keyArray = keys.toArray(String[]::new);
        String[] argArray = args.toArray(String[]::new);
        String sha = shas.computeIfAbsent(script, RedisCalls::sha1);
        return call(() -> {
            try {
                return commands.evalsha(sha, type, keyArray, argArray);
            }
            catch (RedisNoScriptException e) {
                // First use, or Redis restarted and lost its script cache: EVAL sends and caches it.
                return commands.eval(script, type, keyArray, argArray);
            }
        });
    }

    static <T> T call(Supplier<T> command) {
        try {
            return command.get();
        }
        catch (RedisException e) {
            // a known fault says what it is (OOM, READONLY, ...) without Lettuce's wording, which the cause keeps
            String reason = RedisFaults.reason(e);
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "Redis failed: " + (reason != null ? reason : e.getMessage()), e);
        }
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is always available", e);
        }
    }
}
