package io.pocketsync.store.redis;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.checksum.ChecksumDelta;
import io.pocketsync.api.checksum.ChecksumScan;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.api.store.ChangeFeedListener;
import io.pocketsync.api.store.RowKey;
import io.pocketsync.api.store.ScopeInfo;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.server.engine.store.ChangeFeedDispatcher;
import io.pocketsync.server.engine.store.StoreJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared server store: Redis (standalone; the key layout is Cluster-ready), for one or many nodes.
 *
 * <p>{@link #apply} reads the batch's rows and change ids in one Lua script, resolves in Java, then runs
 * one write script that checks nothing it read has changed (optimistic), and atomically writes rows,
 * processed ids and audit entries, takes the batch's sequences from the scope counter and publishes the
 * feed event. On a conflict it starts over (bounded by {@code max-attempts}). Because sequences are taken
 * inside the atomic script they are gap-free and visible in commit order on every node.
 *
 * <p>The feed is Redis pub/sub: every node pattern-subscribes to the prefix on a dedicated connection,
 * so each node's listeners get every node's commits in commit order. After a reconnect the listeners'
 * {@link ChangeFeedListener#onGap()} is called (events published meanwhile are lost; devices catch up by cursor).
 *
 * <p>Thread-safe: one multiplexed connection serves all threads.
 */
public final class RedisServerStore implements ServerStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisServerStore.class);
    /** Scans of a scope whose checksums predate it before one is returned without being kept (batches kept coming). */
    private static final int CHECKSUM_REBUILD_ATTEMPTS = 3;
    private static final int PAGE_SCAN_BUDGET = 2000;
    /** Tombstones, idempotency records and audit entries removed per prune script call, at most. */
    static final int PRUNE_CHUNK = 500;

    private final RedisStoreConfig config;
    private final String nodeId;
    private final Clock clock;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final ChangeFeedDispatcher feed = new ChangeFeedDispatcher("pocketsync-redis-feed");
    private final Set<Scope> registeredScopes = ConcurrentHashMap.newKeySet();
    private final BlindBatch.Heads heads = new BlindBatch.Heads();
    private final Map<String, String> shas = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean keepChecksums;

    /**
     * Connects and subscribes to the feed.
     *
     * @param config the validated settings
     * @param nodeId this server node's id, written into the change feed
     * @param clock the wall clock for audit and pruning times
     * @throws PocketSyncException with {@code STORE_UNAVAILABLE} when Redis cannot be reached
     */
    public RedisServerStore(RedisStoreConfig config, String nodeId, Clock clock) {
        this(config, nodeId, clock, true);
    }

    /**
     * Connects and subscribes to the feed.
     *
     * @param config the validated settings
     * @param nodeId this server node's id, written into the change feed
     * @param clock the wall clock for audit and pruning times
     * @param keepChecksums whether to keep checksums of row state with every batch; without, {@link #checksums} scans
     *        the rows and the batches mark the kept ones incomplete (for measuring what keeping them costs)
     * @throws PocketSyncException with {@code STORE_UNAVAILABLE} when Redis cannot be reached
     */
    public RedisServerStore(RedisStoreConfig config, String nodeId, Clock clock, boolean keepChecksums) {
        this.keepChecksums = keepChecksums;
        this.config = requireNonNull(config, "config is null");
        this.nodeId = requireNonNull(nodeId, "nodeId is null");
        this.clock = requireNonNull(clock, "clock is null");
        RedisURI uri = RedisURI.create(config.uri());
        uri.setTimeout(config.commandTimeout());
        // Reconnect attempts back off from 10 ms to at most 2 s, so a restarted Redis is back in use quickly.
        this.resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // While disconnected, fail at once instead of queueing: a batch must fail cleanly, not hang.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(config.connectTimeout()).build())
                .timeoutOptions(TimeoutOptions.enabled(config.commandTimeout()))
                .build());
        try {
            this.connection = client.connect();
            this.commands = connection.sync();
            this.pubSub = client.connectPubSub();
            pubSub.addListener(new FeedSubscriber());
            pubSub.sync().psubscribe(RedisKeys.feedPattern(config.prefix()));
        }
        catch (RedisException e) {
            client.shutdown();
            resources.shutdown();
            feed.close();
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "cannot connect to Redis: " + e.getMessage(), e);
        }
        LOG.info("Redis store connected ({}), node {}", config, nodeId);
    }

    /** Turns pub/sub messages into feed events; a re-subscription after a reconnect means events may be lost. */
    private final class FeedSubscriber extends RedisPubSubAdapter<String, String> {
        private final AtomicBoolean subscribedOnce = new AtomicBoolean();

        @Override
        public void message(String pattern, String channel, String message) {
            RedisFeed.Claim claim = RedisFeed.claim(message);
            if (claim != null) {
                feed.sessionClaimed(claim.scope(), claim.deviceId(), claim.claim());
                return;
            }
            // Decoded on the feed thread and only when someone listens (the dispatcher turns a failure into a gap).
            feed.publish(() -> RedisFeed.read(message));
        }

        @Override
        public void psubscribed(String pattern, long count) {
            if (!subscribedOnce.compareAndSet(false, true)) {
                LOG.info("change feed re-subscribed after a reconnect; sessions pull to cover the gap");
                feed.gap();
            }
        }
    }

    /** Published on the scope's feed channel, so every node's pattern subscription hears it, this one's too. */
    @Override
    public void claimSession(Scope scope, String deviceId, String claim) {
        requireNonNull(scope, "scope is null");
        String channel = new RedisKeys(config.prefix(), scope).feedChannel();
        connection.async().publish(channel, RedisFeed.claimMessage(scope, deviceId, claim)).exceptionally(e -> {
            LOG.warn("session claim of device {} not published: {}", deviceId, e.toString());
            return 0L;
        });
    }

    // ---------------------------------------------------------------- apply

    @Override
    public BatchOutcome apply(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers) {
        requireNonNull(scope, "scope is null");
        requireNonNull(changes, "changes is null");
        requireNonNull(resolvers, "resolvers is null");
        ensureOpen();
        RedisKeys keys = new RedisKeys(config.prefix(), scope);
        if (!changes.isEmpty() && BatchPlan.createsOnlyNewRows(changes)) {
            BatchOutcome outcome = tryApply(scope, keys, changes, resolvers, true);
            if (outcome != null) {
                return marked(keys, changes, outcome);
            }
        }
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            BatchOutcome outcome = tryApply(scope, keys, changes, resolvers, false);
            if (outcome != null) {
                return marked(keys, changes, outcome);
            }
            backOff(attempt);
        }
        throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "batch for scope " + scope + " kept conflicting with "
                + "concurrent writers after " + config.maxAttempts() + " attempts; nothing was stored");
    }

    /** Raises the marks of the batch's devices ({@link RedisDeviceMarks}); the batch is stored whatever happens here. */
    private BatchOutcome marked(RedisKeys keys, List<Change> changes, BatchOutcome outcome) {
        List<String> args = RedisDeviceMarks.args(changes, outcome);
        if (!args.isEmpty()) {
            try {
                eval(RedisDeviceMarks.RAISE, ScriptOutputType.INTEGER, List.of(keys.deviceMarks()), args);
            }
            catch (PocketSyncException e) {
                LOG.warn("batch stored, but the device marks could not be raised: {}", e.getMessage());
            }
        }
        return outcome;
    }

    @Override
    public long deviceMark(Scope scope, String deviceId) {
        requireNonNull(scope, "scope is null");
        requireNonNull(deviceId, "deviceId is null");
        ensureOpen();
        String mark = call(() -> commands.hget(new RedisKeys(config.prefix(), scope).deviceMarks(), deviceId));
        return mark == null ? 0 : Long.parseLong(mark);
    }

    /**
     * One optimistic attempt; null when something it read changed before the write. A {@code blind} attempt
     * reads nothing: it plans as if no row of the batch existed and no id was processed, against the head
     * this node saw last, and the write script's checks (every row absent, every id new) tell whether that
     * was so. One round trip instead of two for the usual batch of new rows; see {@link BlindBatch}.
     */
    private BatchOutcome tryApply(Scope scope, RedisKeys keys, List<Change> changes,
            Function<String, ConflictResolver> resolvers, boolean blind) {
        if (blind) {
            // claims are assumed free too; the write script checks that they are
            BatchPlan plan = BatchPlan.resolve(changes, resolvers, key -> null, id -> false, heads.lastSeen(scope), claim -> null);
            return write(scope, keys, plan);
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
        List<Object> snapshot = eval(RedisScripts.READ, ScriptOutputType.MULTI, keys.forRead(), readArgs);
        long head = Long.parseLong((String) snapshot.get(0));
        Map<RowKey, RowState> stored = new HashMap<>();
        int index = 1;
        for (RowKey key : rowKeys) {
            String value = (String) snapshot.get(index++);
            stored.put(key, value.isEmpty() ? null : parseRow(value));
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
                processed::contains, head, RedisUniqueClaims.holders(commands, keys, changes, stored::get)));
    }

    /** Runs the write script for a plan; null when a row or id it was planned against changed (retry). */
    private BatchOutcome write(Scope scope, RedisKeys keys, BatchPlan plan) {
        if (plan.writesNothing()) {
            return plan.outcome(0);
        }
        registerScope(scope);
        Long before = eval(RedisScripts.WRITE, ScriptOutputType.INTEGER, keys.forWrite(), writeArgs(scope, keys, plan));
        if (before < 0) {
            return null;
        }
        heads.saw(scope, before + plan.appliedCount());
        return plan.outcome(before - plan.base());
    }

    private List<String> writeArgs(Scope scope, RedisKeys keys, BatchPlan plan) {
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
        rows.values().forEach(planned -> args.add(storedValue(planned.state(), texts)));
        args.addAll(plan.processedIds());
        args.add(Integer.toString(plan.audits().size()));
        for (BatchPlan.PendingAudit audit : plan.audits()) {
            args.add(StoreJson.writeAudit(now, audit.status(), audit.change(), audit.winnerChangeId(), audit.errorCode(),
                    audit.reason()));
        }
        RedisUniqueClaims.appendArgs(args, plan);
        if (keepChecksums) {
            RedisChecksums.appendArgs(args, ChecksumDelta.of(plan));
        }
        else {
            args.add(RedisChecksums.NOT_KEPT);
        }
        return args;
    }

    /** A row as the rows hash holds it: {@code <first>|<last>|<deleted 0/1>|<state json>}. */
    static String storedValue(RowState state, StoreJson.RowTexts texts) {
        return state.firstSequence() + "|" + state.lastSequence() + "|" + (state.deleted() ? "1|" : "0|")
                + StoreJson.writeState(state, texts);
    }

    private void registerScope(Scope scope) {
        // Outside the write script: the scope set is in another Cluster slot. Registered first, so a scope
        // with data is always listed (a batch that then fails leaves at worst an empty scope listed).
        if (!registeredScopes.contains(scope)) {
            call(() -> commands.sadd(RedisKeys.scopes(config.prefix()), scope.name()));
            registeredScopes.add(scope);
        }
    }

    private static void backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(Math.min(attempt, 20) + 1L));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "interrupted while retrying a batch", e);
        }
    }

    static RowState parseRow(String value) {
        int first = value.indexOf('|');
        int second = value.indexOf('|', first + 1);
        int third = value.indexOf('|', second + 1);
        return StoreJson.readState(value.substring(third + 1), Long.parseLong(value.substring(0, first)),
                Long.parseLong(value.substring(first + 1, second)));
    }

    // ---------------------------------------------------------------- reads

    @Override
    public CatchUpPage page(Scope scope, long afterSequence, int limit, boolean includeDeleted) {
        requireNonNull(scope, "scope is null");
        if (limit < 1) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "page limit must be positive: " + limit);
        }
        ensureOpen();
        RedisKeys keys = new RedisKeys(config.prefix(), scope);
        List<Object> result = eval(RedisScripts.PAGE, ScriptOutputType.MULTI, List.of(keys.rows(), keys.byLastSequence()),
                List.of(Long.toString(afterSequence), Integer.toString(limit), includeDeleted ? "1" : "0",
                        Integer.toString(Math.max(PAGE_SCAN_BUDGET, limit * 4))));
        List<RowState> rows = new ArrayList<>(result.size() - 2);
        for (int i = 2; i < result.size(); i++) {
            rows.add(parseRow((String) result.get(i)));
        }
        return new CatchUpPage(rows, (long) Double.parseDouble((String) result.get(0)), "1".equals(result.get(1)));
    }

    @Override
    public Optional<RowState> row(Scope scope, String table, String globalId) {
        requireNonNull(scope, "scope is null");
        ensureOpen();
        String value = call(() -> commands.hget(new RedisKeys(config.prefix(), scope).rows(),
                RedisKeys.rowField(new RowKey(table, globalId))));
        return value == null ? Optional.empty() : Optional.of(parseRow(value));
    }

    @Override
    public ScopeChecksums checksums(Scope scope) {
        requireNonNull(scope, "scope is null");
        ensureOpen();
        if (!keepChecksums) {
            return ChecksumScan.checksums(this, scope);
        }
        RedisKeys keys = new RedisKeys(config.prefix(), scope);
        for (int attempt = 0; ; attempt++) {
            List<Object> result = eval(RedisChecksums.READ, ScriptOutputType.MULTI, List.of(keys.seq(), keys.checksums()), List.of());
            ScopeChecksums checksums = RedisChecksums.parse(result);
            if (checksums != null) {
                return checksums;
            }
            // A scope written before checksums existed: computed once from its rows, kept if no batch came meanwhile.
            ScopeChecksums scanned = ChecksumScan.checksums(this, scope);
            Long replaced = eval(RedisChecksums.REBUILD, ScriptOutputType.INTEGER, List.of(keys.seq(), keys.checksums()),
                    RedisChecksums.rebuildArgs(scanned.sequence(), scanned));
            if (replaced == 1 || attempt >= CHECKSUM_REBUILD_ATTEMPTS) {
                return scanned;
            }
        }
    }

    @Override
    public ScopeInfo info(Scope scope) {
        requireNonNull(scope, "scope is null");
        ensureOpen();
        RedisKeys keys = new RedisKeys(config.prefix(), scope);
        List<io.lettuce.core.KeyValue<String, String>> values = call(() -> commands.mget(keys.seq(), keys.horizon()));
        return new ScopeInfo(Long.parseLong(values.get(0).getValueOrElse("0")), Long.parseLong(values.get(1).getValueOrElse("0")));
    }

    @Override
    public List<Scope> scopes() {
        ensureOpen();
        return call(() -> commands.smembers(RedisKeys.scopes(config.prefix()))).stream().sorted().map(Scope::of).toList();
    }

    @Override
    public long prune(Scope scope, Instant olderThan) {
        requireNonNull(scope, "scope is null");
        requireNonNull(olderThan, "olderThan is null");
        ensureOpen();
        RedisKeys keys = new RedisKeys(config.prefix(), scope);
        List<String> args = List.of(Long.toString(olderThan.toEpochMilli()), Integer.toString(PRUNE_CHUNK));
        // Chunks keep each script short (Redis runs nothing else meanwhile); writers interleave between them.
        while (true) {
            List<Long> result = eval(RedisScripts.PRUNE, ScriptOutputType.MULTI, keys.forPrune(), args);
            if (result.get(1) == 0) {
                return result.get(0);
            }
            ensureOpen();
        }
    }

    @Override
    public List<AuditEntry> audit(Scope scope, long afterId, int limit) {
        requireNonNull(scope, "scope is null");
        ensureOpen();
        if (limit < 1) {
            return List.of();
        }
        RedisKeys keys = new RedisKeys(config.prefix(), scope);
        List<String> members = call(() -> commands.zrangebyscore(keys.audit(),
                io.lettuce.core.Range.<Long>from(io.lettuce.core.Range.Boundary.excluding(afterId), io.lettuce.core.Range.Boundary.unbounded()),
                io.lettuce.core.Limit.create(0, limit)));
        List<AuditEntry> entries = new ArrayList<>(members.size());
        for (String member : members) {
            int bar = member.indexOf('|');
            entries.add(StoreJson.readAudit(Long.parseLong(member.substring(0, bar)), member.substring(bar + 1)));
        }
        return entries;
    }

    @Override
    public AutoCloseable subscribe(ChangeFeedListener listener) {
        ensureOpen();
        return feed.subscribe(listener);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            pubSub.close();
            connection.close();
        }
        finally {
            client.shutdown();
            resources.shutdown();
            feed.close();
        }
        LOG.info("Redis store closed, node {}", nodeId);
    }

    // ---------------------------------------------------------------- plumbing

    private void ensureOpen() {
        if (closed.get()) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "the Redis store is closed");
        }
    }

    private <T> T eval(String script, ScriptOutputType type, List<String> keys, List<String> args) {
        String[] keyArray = keys.toArray(String[]::new);
        String[] argArray = args.toArray(String[]::new);
        String sha = shas.computeIfAbsent(script, RedisServerStore::sha1);
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

    private static <T> T call(Supplier<T> command) {
        try {
            return command.get();
        }
        catch (RedisException e) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "Redis failed: " + e.getMessage(), e);
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
