package io.pocketsync.store.redis;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Health;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.ChecksumScan;
import io.pocketsync.api.checksum.IncomingHashes;
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
import io.pocketsync.api.store.ScopeNotes;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.server.engine.store.ChangeFeedDispatcher;
import io.pocketsync.server.engine.store.StoreJson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 * <p>When Redis refuses writes ({@code OOM}, {@code READONLY}, {@code MISCONF}) or cannot be reached, batches fail with
 * {@code STORE_UNAVAILABLE} saying so and store nothing (the write script fails at its first write), and
 * {@link #health()} is down until a write succeeds again (down at once when the connection drops, with no write needed);
 * meanwhile it probes with a {@code SET} of one expiring key at most once a second.
 *
 * <p>Thread-safe: one multiplexed connection serves all threads.
 */
public final class RedisServerStore implements ServerStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisServerStore.class);
    private static final int PAGE_SCAN_BUDGET = 2000;
    /** Tombstones, idempotency records and audit entries removed per prune script call, at most. */
    static final int PRUNE_CHUNK = 500;

    private final RedisStoreConfig config;
    private final String nodeId;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final ChangeFeedDispatcher feed = new ChangeFeedDispatcher("pocketsync-redis-feed");
    private final RedisCalls calls;
    private final RedisBatchAttempt attempts;
    private final RedisScopeNotes notes;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean keepChecksums;
    private final RedisWriteHealth health;

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
        requireNonNull(clock, "clock is null");
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
            pubSub.addListener(new RedisFeedSubscriber(feed));
            pubSub.sync().psubscribe(RedisKeys.feedPattern(config.prefix()));
        }
        catch (RedisException e) {
            client.shutdown();
            resources.shutdown();
            feed.close();
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "cannot connect to Redis: " + e.getMessage(), e);
        }
        this.calls = new RedisCalls(commands);
        this.attempts = new RedisBatchAttempt(config, nodeId, clock, commands, calls, keepChecksums);
        this.health = new RedisWriteHealth(commands, connection::isOpen, config.prefix(), nodeId);
        this.notes = new RedisScopeNotes(commands, config.prefix());
        LOG.info("Redis store connected ({}), node {}", config, nodeId);
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
        try {
            BatchOutcome outcome = applyAttempts(scope, changes, resolvers);
            health.succeeded();
            return outcome;
        }
        catch (PocketSyncException e) {
            health.failed(e);
            throw e;
        }
    }

    private BatchOutcome applyAttempts(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers) {
        RedisKeys keys = new RedisKeys(config.prefix(), scope);
        // hashed on another core while this one reads, plans and encodes the batch
        Supplier<IncomingHashes> hashes = keepChecksums ? IncomingHashes.ahead(changes)
                : IncomingHashes::none;
        if (!changes.isEmpty() && BatchPlan.createsOnlyNewRows(changes)) {
            BatchOutcome outcome = attempts.tryApply(scope, keys, changes, resolvers, true, hashes);
            if (outcome != null) {
                return marked(keys, changes, outcome);
            }
        }
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            BatchOutcome outcome = attempts.tryApply(scope, keys, changes, resolvers, false, hashes);
            if (outcome != null) {
                return marked(keys, changes, outcome);
            }
            backOff(attempt);
        }
        throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "batch for scope " + scope + " kept conflicting with "
                + "concurrent writers after " + config.maxAttempts() + " attempts; nothing was stored");
    }

    /** Down while Redis refuses writes; probes (a SET of one expiring key) at most once a second meanwhile. */
    @Override
    public Health health() {
        return closed.get() ? Health.down("the Redis store is closed") : health.health();
    }

    /** Raises the marks of the batch's devices ({@link RedisDeviceMarks}); the batch is stored whatever happens here. */
    private BatchOutcome marked(RedisKeys keys, List<Change> changes, BatchOutcome outcome) {
        List<String> args = RedisDeviceMarks.args(changes, outcome);
        if (!args.isEmpty()) {
            try {
                calls.eval(RedisDeviceMarks.RAISE, ScriptOutputType.INTEGER, List.of(keys.deviceMarks()), args);
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
        String mark = RedisCalls.call(() -> commands.hget(new RedisKeys(config.prefix(), scope).deviceMarks(), deviceId));
        return mark == null ? 0 : Long.parseLong(mark);
    }

    /** A row as the rows hash holds it: {@code <first>|<last>|<deleted 0/1>|<state json>}. */
    static String storedValue(RowState state, StoreJson.RowTexts texts) {
        return state.firstSequence() + "|" + state.lastSequence() + "|" + (state.deleted() ? "1|" : "0|")
                + StoreJson.writeState(state, texts);
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
        List<Object> result = calls.eval(RedisScripts.PAGE, ScriptOutputType.MULTI, List.of(keys.rows(), keys.byLastSequence()),
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
        String value = RedisCalls.call(() -> commands.hget(new RedisKeys(config.prefix(), scope).rows(),
                RedisKeys.rowField(new RowKey(table, globalId))));
        return value == null ? Optional.empty() : Optional.of(parseRow(value));
    }

    /**
     * The coarse level is kept with every batch and read in one call; the fine level (asked only by a device before
     * the coarse level) is computed from the rows.
     */
    @Override
    public ScopeChecksums checksums(Scope scope, ChecksumLevel level) {
        requireNonNull(scope, "scope is null");
        requireNonNull(level, "level is null");
        ensureOpen();
        if (!keepChecksums || level == ChecksumLevel.FINE) {
            return ChecksumScan.exactChecksums(this, scope, level, null);
        }
        return RedisChecksums.readCoarse(calls, new RedisKeys(config.prefix(), scope), this, scope);
    }

    /** Computed from the rows: only the coarse level is kept ({@link RedisChecksums}). */
    @Override
    public ScopeChecksums fineChecksums(Scope scope, String table) {
        requireNonNull(scope, "scope is null");
        requireNonNull(table, "table is null");
        ensureOpen();
        return ChecksumScan.exactChecksums(this, scope, ChecksumLevel.FINE, table);
    }

    @Override
    public ScopeInfo info(Scope scope) {
        requireNonNull(scope, "scope is null");
        ensureOpen();
        RedisKeys keys = new RedisKeys(config.prefix(), scope);
        List<io.lettuce.core.KeyValue<String, String>> values = RedisCalls.call(() -> commands.mget(keys.seq(), keys.horizon()));
        return new ScopeInfo(Long.parseLong(values.get(0).getValueOrElse("0")), Long.parseLong(values.get(1).getValueOrElse("0")));
    }

    @Override
    public List<Scope> scopes() {
        ensureOpen();
        return RedisCalls.call(() -> commands.smembers(RedisKeys.scopes(config.prefix()))).stream().sorted().map(Scope::of).toList();
    }

    @Override
    public long prune(Scope scope, Instant olderThan) {
        requireNonNull(scope, "scope is null");
        requireNonNull(olderThan, "olderThan is null");
        ensureOpen();
        RedisKeys keys = new RedisKeys(config.prefix(), scope);
        List<String> args = List.of(Long.toString(olderThan.toEpochMilli()), Integer.toString(PRUNE_CHUNK));
        // Chunks keep each script short (Redis runs nothing else meanwhile); writers interleave between them.
        try {
            while (true) {
                List<Long> result = calls.eval(RedisScripts.PRUNE, ScriptOutputType.MULTI, keys.forPrune(), args);
                if (result.get(1) == 0) {
                    health.succeeded();
                    return result.get(0);
                }
                ensureOpen();
            }
        }
        catch (PocketSyncException e) {
            health.failed(e);
            throw e;
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
        List<String> members = RedisCalls.call(() -> commands.zrangebyscore(keys.audit(),
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
    public Optional<ScopeNotes> scopeNotes() {
        return Optional.of(notes);
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
}
