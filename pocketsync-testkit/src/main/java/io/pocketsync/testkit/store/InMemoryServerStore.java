package io.pocketsync.testkit.store;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.checksum.ChecksumDelta;
import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.api.store.ChangeFeedListener;
import io.pocketsync.api.store.CommittedBatch;
import io.pocketsync.api.store.DeviceMarks;
import io.pocketsync.api.store.RowKey;
import io.pocketsync.api.store.ScopeInfo;
import io.pocketsync.api.store.ScopeNotes;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.api.store.UniqueClaims;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A correct, simple {@link ServerStore} held in memory, for unit tests of engines and plugins.
 *
 * <p>One lock (shared with the nodes made by {@link #sharing}) guards everything, so batches are trivially atomic and sequences become visible in
 * commit order. A batch is resolved by {@link BatchPlan}, as the real stores resolve theirs, and
 * committed only when every change was decided, so an exception in a resolver (or an injected failure,
 * see {@link #failNextApplies}) stores nothing. Feed listeners are called synchronously after the commit,
 * still under the lock, so they observe each scope's batches in commit order; they must not block.
 *
 * <p>"Durable" here means "visible to every later call": nothing survives the JVM.
 *
 * <p>Thread-safe.
 */
public final class InMemoryServerStore implements ServerStore {
    private final String nodeId;
    private final Clock clock;
    private final Shared shared;
    private final Map<Scope, ScopeData> scopes;
    private final List<ChangeFeedListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresToInject = new AtomicInteger();
    /** Applies of batches from this device fail while it is set (see {@link #failAppliesFrom}). */
    private volatile String failingDevice;
    private volatile boolean closed;

    /** A store for node {@code node-1} on the system clock. */
    public InMemoryServerStore() {
        this("node-1", Clock.systemUTC());
    }

    /**
     * @param nodeId the node id written into feed events
     * @param clock the clock that stamps commits (prune compares against it)
     */
    public InMemoryServerStore(String nodeId, Clock clock) {
        this(nodeId, clock, new Shared());
    }

    private InMemoryServerStore(String nodeId, Clock clock, Shared shared) {
        this.nodeId = requireNonNull(nodeId, "nodeId is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.shared = shared;
        this.scopes = shared.scopes;
        shared.nodes.add(this);
    }

    /**
     * Another node over the same data, like a second server sharing one Redis: one sequence per scope,
     * and every node's commits reach every open node's feed listeners. Closing one node leaves the others
     * (and the data) usable, so it also plays a store reopened after a restart.
     *
     * @param otherNodeId the other node's id
     * @return the other node
     */
    public InMemoryServerStore sharing(String otherNodeId) {
        return new InMemoryServerStore(otherNodeId, clock, shared);
    }

    /**
     * Makes the next {@code count} calls of {@link #apply} fail with STORE_UNAVAILABLE after resolving, storing nothing.
     *
     * @param count how many calls fail
     */
    public void failNextApplies(int count) {
        failuresToInject.set(count);
    }

    /**
     * Makes every call of {@link #apply} whose batch holds a change of {@code device} fail with
     * STORE_UNAVAILABLE (storing nothing) until called with null: keeps one device's changes pending for as
     * long as a test needs, whatever its retry timing.
     *
     * @param device the device id; null to stop failing
     */
    public void failAppliesFrom(String device) {
        failingDevice = device;
    }

    @Override
    public BatchOutcome apply(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers) {
        requireNonNull(scope, "scope is null");
        requireNonNull(changes, "changes is null");
        requireNonNull(resolvers, "resolvers is null");
        synchronized (shared) {
            return applyLocked(scope, changes, resolvers);
        }
    }

    private BatchOutcome applyLocked(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers) {
        checkOpen();
        ScopeData data = scopes.computeIfAbsent(scope, s -> new ScopeData());
        Instant now = clock.instant();
        // Decided in memory first, like the real stores: a failing resolver or an injected failure stores nothing.
        BatchPlan plan = BatchPlan.resolve(changes, resolvers, data.rows::get, data.processedIds::containsKey, data.head,
                claim -> data.claims.get(claim.key()));
        if (failuresToInject.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "injected store failure");
        }
        String failing = failingDevice;
        if (failing != null && changes.stream().anyMatch(change -> failing.equals(change.deviceId()))) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "injected store failure for device " + failing);
        }

        // commit
        for (ChecksumDelta.Entry delta : ChecksumDelta.of(plan).entries()) {
            data.checksums.computeIfAbsent(delta.table(), TableChecksum.Builder::new)
                    .addHalves(delta.bucket(), delta.count(), delta.low(), delta.high());
        }
        for (Map.Entry<RowKey, BatchPlan.Planned> entry : plan.rows().entrySet()) {
            RowState state = entry.getValue().state();
            RowState previous = data.rows.put(entry.getKey(), state);
            if (previous != null) {
                data.bySequence.remove(previous.lastSequence());
            }
            data.bySequence.put(state.lastSequence(), entry.getKey());
            data.committedAt.put(entry.getKey(), now);
        }
        for (String id : plan.processedIds()) {
            data.processedIds.put(id, now);
        }
        for (UniqueClaims.Write write : plan.claimWrites()) {
            if (write.holder() == null) {
                data.claims.remove(write.claim().key());
            }
            else {
                data.claims.put(write.claim().key(), write.holder());
            }
        }
        for (BatchPlan.PendingAudit pending : plan.audits()) {
            data.audit.add(new AuditEntry(++data.lastAuditId, now, pending.status(), pending.change(), pending.winnerChangeId(),
                    pending.errorCode(), pending.reason()));
        }
        long from = data.head;
        data.head += plan.appliedCount();
        if (plan.appliedCount() > 0) {
            CommittedBatch batch = new CommittedBatch(scope, nodeId, from, data.head, plan.feedChanges(0));
            for (InMemoryServerStore node : shared.nodes) {
                for (ChangeFeedListener listener : node.listeners) {
                    try {
                        listener.onCommitted(batch);
                    }
                    catch (RuntimeException e) {
                        // a broken listener must not undo a commit or starve the other listeners
                    }
                }
            }
        }
        BatchOutcome outcome = plan.outcome(0);
        DeviceMarks.of(changes, outcome).forEach((device, mark) -> data.marks.merge(device, mark, Math::max));
        return outcome;
    }

    @Override
    public long deviceMark(Scope scope, String deviceId) {
        synchronized (shared) {
            checkOpen();
            ScopeData data = scopes.get(scope);
            return data == null ? 0 : data.marks.getOrDefault(deviceId, 0L);
        }
    }

    @Override
    public CatchUpPage page(Scope scope, long afterSequence, int limit, boolean includeDeleted) {
        synchronized (shared) {
            checkOpen();
            if (limit <= 0) {
                throw new PocketSyncException(ErrorCode.INVALID_FIELD, "limit must be positive: " + limit);
            }
            ScopeData data = scopes.get(scope);
            if (data == null) {
                return new CatchUpPage(List.of(), afterSequence, false);
            }
            List<RowState> rows = new ArrayList<>();
            long next = afterSequence;
            for (Map.Entry<Long, RowKey> entry : data.bySequence.tailMap(afterSequence, false).entrySet()) {
                if (rows.size() >= limit) {
                    break;
                }
                RowState state = data.rows.get(entry.getValue());
                next = entry.getKey();
                if (state.deleted() && !includeDeleted) {
                    continue;
                }
                rows.add(state);
            }
            boolean hasMore = data.bySequence.higherKey(next) != null;
            return new CatchUpPage(rows, next, hasMore);
        }
    }

    @Override
    public ScopeChecksums checksums(Scope scope, ChecksumLevel level) {
        requireNonNull(scope, "scope is null");
        synchronized (shared) {
            checkOpen();
            ScopeData data = scopes.get(scope);
            if (data == null) {
                return new ScopeChecksums(0, List.of());
            }
            // kept at the fine level, folded for the coarse one
            return new ScopeChecksums(data.head,
                    data.checksums.values().stream().map(TableChecksum.Builder::build).toList()).at(level);
        }
    }

    @Override
    public ScopeChecksums fineChecksums(Scope scope, String table) {
        ScopeChecksums all = checksums(scope, ChecksumLevel.FINE);
        return new ScopeChecksums(all.sequence(), List.of(all.table(table)));
    }

    @Override
    public Optional<RowState> row(Scope scope, String table, String globalId) {
        synchronized (shared) {
            checkOpen();
            ScopeData data = scopes.get(scope);
            return data == null ? Optional.empty() : Optional.ofNullable(data.rows.get(new RowKey(table, globalId)));
        }
    }

    @Override
    public ScopeInfo info(Scope scope) {
        synchronized (shared) {
            checkOpen();
            ScopeData data = scopes.get(scope);
            return data == null ? new ScopeInfo(0, 0) : new ScopeInfo(data.head, data.horizon);
        }
    }

    @Override
    public List<Scope> scopes() {
        synchronized (shared) {
            checkOpen();
            return List.copyOf(scopes.keySet());
        }
    }

    @Override
    public long prune(Scope scope, Instant olderThan) {
        synchronized (shared) {
            checkOpen();
            ScopeData data = scopes.get(scope);
            if (data == null) {
                return 0;
            }
            data.rows.entrySet().removeIf(entry -> {
                RowState state = entry.getValue();
                if (state.deleted() && data.committedAt.get(entry.getKey()).isBefore(olderThan)) {
                    data.horizon = Math.max(data.horizon, state.lastSequence());
                    data.bySequence.remove(state.lastSequence());
                    data.committedAt.remove(entry.getKey());
                    return true;
                }
                return false;
            });
            data.processedIds.values().removeIf(at -> at.isBefore(olderThan));
            data.audit.removeIf(entry -> entry.at().isBefore(olderThan));
            return data.horizon;
        }
    }

    @Override
    public List<AuditEntry> audit(Scope scope, long afterId, int limit) {
        synchronized (shared) {
            checkOpen();
            ScopeData data = scopes.get(scope);
            if (data == null) {
                return List.of();
            }
            return data.audit.stream().filter(entry -> entry.id() > afterId).limit(Math.max(0, limit)).toList();
        }
    }

    @Override
    public void claimSession(Scope scope, String deviceId, String claim) {
        for (InMemoryServerStore node : shared.nodes) {
            for (ChangeFeedListener listener : node.listeners) {
                listener.onSessionClaimed(scope, deviceId, claim);
            }
        }
    }

    @Override
    public AutoCloseable subscribe(ChangeFeedListener listener) {
        requireNonNull(listener, "listener is null");
        checkOpen();
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Calls every listener's {@link ChangeFeedListener#onGap()}, as a store does after losing its feed. */
    public void simulateGap() {
        listeners.forEach(ChangeFeedListener::onGap);
    }

    /**
     * The number of feed subscribers, for tests that check unsubscribing.
     *
     * @return the count
     */
    public int subscriberCount() {
        return listeners.size();
    }

    @Override
    public void close() {
        closed = true;
        listeners.clear();
        shared.nodes.remove(this);
    }

    @Override
    public Optional<ScopeNotes> scopeNotes() {
        return Optional.of(shared.notes);
    }

    private void checkOpen() {
        if (closed) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "store is closed");
        }
    }

    /** The data every node of one {@link #sharing} family sees; also the lock that makes batches atomic. */
    private static final class Shared {
        final Map<Scope, ScopeData> scopes = new HashMap<>();
        final List<InMemoryServerStore> nodes = new CopyOnWriteArrayList<>();
        /** The operators' notes, shared by the nodes like the data. */
        final ScopeNotes notes = ScopeNotes.inMemory();
    }

    private static final class ScopeData {
        final Map<RowKey, RowState> rows = new LinkedHashMap<>();
        final NavigableMap<Long, RowKey> bySequence = new TreeMap<>();
        final Map<RowKey, Instant> committedAt = new HashMap<>();
        final Map<String, Instant> processedIds = new HashMap<>();
        final List<AuditEntry> audit = new ArrayList<>();
        final Map<String, Long> marks = new HashMap<>();
        /** Kept with every batch, like the real stores keep theirs. */
        final Map<String, TableChecksum.Builder> checksums = new HashMap<>();
        /** Unique claims by {@link UniqueClaims.Claim#key()}: the holder's global id. */
        final Map<String, String> claims = new HashMap<>();
        long head;
        long horizon;
        long lastAuditId;
    }
}
