package io.pocketsync.store.redis;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.sync.RedisCommands;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.api.store.RowKey;
import io.pocketsync.api.store.UniqueClaims;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The unique-claim index of the Redis store ({@link UniqueClaims}): the hash {@code <prefix>:{<scope>}:claims},
 * claim key &rarr; holder's global id, in the scope's slot like every other key of the scope.
 *
 * <p>Optimistic like the rows: a plan reads the claims it may touch (one HMGET of the candidates, one HGET for
 * any other the plan asks about, and the holder's row when a claim is held by another row), and the write script
 * checks that every claim it writes still has the holder the plan read ({@code ''} for none) before it writes
 * anything; otherwise the attempt starts over. So two nodes claiming one value commit one claimant: the other
 * plans again, finds the value held and is REJECTED {@code UNIQUE_CONFLICT}. A blind attempt assumes every claim
 * free, which the same check confirms.
 */
final class RedisUniqueClaims {
    private final RedisCommands<String, String> commands;
    private final RedisKeys keys;
    private final Map<String, String> fetched = new HashMap<>();

    private RedisUniqueClaims(RedisCommands<String, String> commands, RedisKeys keys) {
        this.commands = commands;
        this.keys = keys;
    }

    /** The holders of a batch's candidate claims, fetched in one HMGET; others are asked one by one. */
    static UniqueClaims.Holders holders(RedisCommands<String, String> commands, RedisKeys keys, List<Change> changes,
            Function<RowKey, RowState> stored) {
        RedisUniqueClaims claims = new RedisUniqueClaims(commands, keys);
        Set<UniqueClaims.Claim> candidates = UniqueClaims.candidates(changes, stored);
        if (!candidates.isEmpty()) {
            String[] fields = candidates.stream().map(UniqueClaims.Claim::key).toArray(String[]::new);
            for (KeyValue<String, String> value : call(() -> commands.hmget(keys.claims(), fields))) {
                claims.fetched.put(value.getKey(), value.getValueOrElse(null));
            }
        }
        return claims::holder;
    }

    private String holder(UniqueClaims.Claim claim) {
        String key = claim.key();
        if (fetched.containsKey(key)) {
            return fetched.get(key);
        }
        String holder = call(() -> commands.hget(keys.claims(), key));
        fetched.put(key, holder);
        return holder;
    }

    /** The plan's row loader: the batch's rows as read, any other row (a claim's holder) read when asked. */
    static Function<RowKey, RowState> rows(RedisCommands<String, String> commands, RedisKeys keys, Map<RowKey, RowState> stored) {
        return key -> {
            if (stored.containsKey(key)) {
                return stored.get(key);
            }
            String value = call(() -> commands.hget(keys.rows(), RedisKeys.rowField(key)));
            return value == null ? null : RedisServerStore.parseRow(value);
        };
    }

    /** Appends the write script's claim arguments: count, then field, expected holder, new holder ('' for none). */
    static void appendArgs(List<String> args, BatchPlan plan) {
        List<UniqueClaims.Write> writes = plan.claimWrites();
        args.add(Integer.toString(writes.size()));
        for (UniqueClaims.Write write : writes) {
            args.add(write.claim().key());
            args.add(write.expected() == null ? "" : write.expected());
            args.add(write.holder() == null ? "" : write.holder());
        }
    }

    private static <T> T call(Supplier<T> command) {
        try {
            return command.get();
        }
        catch (RedisException e) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "Redis failed while reading unique claims; nothing of"
                    + " the batch was stored: " + e.getMessage(), e);
        }
    }
}
