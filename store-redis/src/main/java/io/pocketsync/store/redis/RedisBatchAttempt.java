package io.pocketsync.store.redis;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import io.pocketsync.api.checksum.ChecksumDelta;
import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.IncomingHashes;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.api.store.RowKey;
import io.pocketsync.server.engine.store.StoreJson;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One optimistic attempt at storing a batch: the read script, resolving in Java, and the write script that
 * checks nothing read has changed. The retry loop around the attempts is the store's. Thread-safe.
 */
final class RedisBatchAttempt {
    private final RedisStoreConfig config;
    private final String nodeId;
    private final Clock clock;
    private final RedisCommands<String, String> commands;
    private final RedisCalls calls;
    private final boolean keepChecksums;
    private final Set<Scope> registeredScopes = ConcurrentHashMap.newKeySet();
    private final BlindBatch.Heads heads = new BlindBatch.Heads();

    RedisBatchAttempt(RedisStoreConfig config, String nodeId, Clock clock, RedisCommands<String, String> commands,
            RedisCalls calls, boolean keepChecksums) {
        this.config = config;
        this.nodeId = nodeId;
        this.clock = clock;
        this.commands = commands;
        this.calls = calls;
        this.keepChecksums = keepChecksums;
    }

    /**
     * One optimistic attempt; null when something it read changed before the write. A {@code blind} attempt
     * reads nothing: it plans as if no row of the batch existed and no id was processed, against the head
     * this node saw last, and the write script's checks (every row absent, every id new) tell whether that
     * was so. One round trip instead of two for the usual batch of new rows; see {@link BlindBatch}.
     */
    BatchOutcome tryApply(Scope scope, RedisKeys keys, List<Change> changes,
            Function<String, ConflictResolver> resolvers, boolean blind, Supplier<IncomingHashes> hashes) {
        if (blind) {
            // claims are assumed free too; the write script checks that they are
            BatchPlan plan = BatchPlan.resolve(changes, resolvers, key -> null, id -> false, heads.lastSeen(scope), claim -> null);
            return write(scope, keys, plan, hashes);
        }
        Set<RowKey> rowKeys = new LinkedHashSet<>();
        Set<String> ids = new LinkedHashSet<>();
        for (Change change : changes) {
            rowKeys.add(RowKey.of(requireNonNull(change, "change is null")));
            ids.add(change.changeId());
        }
        List<String> readArgs = new ArrayList<>(rowKeys.size() + ids.size() + 1);
        readArgs.add(Integer.toString(rowKeys.size()));
        rowKeys.forEach(key -> readArgs.add(RedisKeys.rowField(key)));
        readArgs.addAll(ids);
        List<Object> snapshot = calls.eval(RedisScripts.READ, ScriptOutputType.MULTI, keys.forRead(), readArgs);
        long head = Long.parseLong((String) snapshot.get(0));
        Map<RowKey, RowState> stored = new HashMap<>();
        int index = 1;
        for (RowKey key : rowKeys) {
            String value = (String) snapshot.get(index++);
            stored.put(key, value.isEmpty() ? null : RedisServerStore.parseRow(value));
        }
        Set<String> processed = new HashSet<>();
        for (String id : ids) {
            if ("1".equals(snapshot.get(index++))) {
                processed.add(id);
            }
        }

        heads.saw(scope, head);
        // Planned from the head just read; the write script moves this batch's sequences by however far the
        // head moved meanwhile (other nodes' batches on other rows), usually not at all.
        return write(scope, keys, BatchPlan.resolve(changes, resolvers, RedisUniqueClaims.rows(commands, keys, stored),
                processed::contains, head, RedisUniqueClaims.holders(commands, keys, changes, stored::get)), hashes);
    }

    /** Runs the write script for a plan; null when a row or id it was planned against changed (retry). */
    private BatchOutcome write(Scope scope, RedisKeys keys, BatchPlan plan, Supplier<IncomingHashes> hashes) {
        if (plan.writesNothing()) {
            return plan.outcome(0);
        }
        registerScope(scope);
        Long before = calls.eval(RedisScripts.WRITE, ScriptOutputType.INTEGER, keys.forWrite(), writeArgs(scope, keys, plan, hashes));
        if (before < 0) {
            return null;
        }
        heads.saw(scope, before + plan.appliedCount());
        return plan.outcome(before - plan.base());
    }

    private List<String> writeArgs(Scope scope, RedisKeys keys, BatchPlan plan, Supplier<IncomingHashes> hashes) {
        long now = clock.millis();
        Map<RowKey, RowState> loaded = plan.loaded();
        Map<RowKey, BatchPlan.Planned> rows = plan.rows();
        List<String> args = new ArrayList<>(12 + loaded.size() + rows.size() + plan.processedIds().size()
                + plan.audits().size());
        // Every written row was read; the written rows go first so the script finds row c's field at index c.
        List<RowKey> order = new ArrayList<>(rows.keySet());
        for (RowKey key : loaded.keySet()) {
            if (!rows.containsKey(key)) {
                order.add(key);
            }
        }
        StringBuilder expected = new StringBuilder(order.size() * 4);
        for (RowKey key : order) {
            RowState state = loaded.get(key);
            expected.append(state == null ? 0 : state.lastSequence()).append(' ');
        }
        StringBuilder flags = new StringBuilder(rows.size() * 2);
        RedisFeed.Written written = new RedisFeed.Written(rows.size());
        rows.forEach((key, planned) -> {
            RowState before = loaded.get(key);
            flags.append(planned.firstAssigned() ? '1' : '0').append(before != null && before.deleted() ? '1' : '0');
            written.add(planned.state());
        });
        args.add(Long.toString(now));
        args.add(Long.toString(plan.appliedCount()));
        args.add(keys.feedChannel());
        StoreJson.RowTexts texts = new StoreJson.RowTexts(rows.size());
        // The script publishes the written rows after the event, so the event names them instead of repeating them.
        args.add(plan.appliedCount() > 0 ? StoreJson.writeFeedOf(scope, nodeId, plan.feedEntries(), texts, written) : "");
        args.add(Long.toString(plan.base()));
        args.add(Integer.toString(order.size()));
        args.add(Integer.toString(rows.size()));
        args.add(expected.toString());
        args.add(flags.toString());
        args.add(Integer.toString(plan.processedIds().size()));
        for (RowKey key : order) {
            args.add(RedisKeys.rowField(key));
        }
        rows.values().forEach(planned -> args.add(RedisServerStore.storedValue(planned.state(), texts)));
        args.addAll(plan.processedIds());
        args.add(Integer.toString(plan.audits().size()));
        for (BatchPlan.PendingAudit audit : plan.audits()) {
            args.add(StoreJson.writeAudit(now, audit.status(), audit.change(), audit.winnerChangeId(), audit.errorCode(),
                    audit.reason()));
        }
        RedisUniqueClaims.appendArgs(args, plan);
        if (keepChecksums) {
            RedisChecksums.appendArgs(args, ChecksumDelta.of(plan, hashes.get(), ChecksumLevel.COARSE));
        }
        else {
            args.add(RedisChecksums.NOT_KEPT);
        }
        return args;
    }

    private void registerScope(Scope scope) {
        // Outside the write script: the scope set is in another Cluster slot. Registered first, so a scope
        // with data is always listed (a batch that then fails leaves at worst an empty scope listed).
        if (!registeredScopes.contains(scope)) {
            RedisCalls.call(() -> commands.sadd(RedisKeys.scopes(config.prefix()), scope.name()));
            registeredScopes.add(scope);
        }
    }
}
