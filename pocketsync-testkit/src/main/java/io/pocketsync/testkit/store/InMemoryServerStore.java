package io.pocketsync.testkit.store;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.api.store.ChangeFeedListener;
import io.pocketsync.api.store.ChangeOutcome;
import io.pocketsync.api.store.CommittedBatch;
import io.pocketsync.api.store.ScopeInfo;
import io.pocketsync.api.store.ServerStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A correct, simple {@link ServerStore} held in memory, for unit tests of engines and plugins.
 *
 * <p>One lock (shared with the nodes made by {@link #sharing}) guards everything, so batches are trivially atomic and sequences become visible in
 * commit order. A batch is resolved against a working copy of the touched rows and committed only
 * when every change was decided, so an exception in a resolver (or an injected failure, see
 * {@link #failNextApplies}) stores nothing. Feed listeners are called synchronously after the commit,
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
     */
    public InMemoryServerStore sharing(String otherNodeId) {
        return new InMemoryServerStore(otherNodeId, clock, shared);
    }

    /** Makes the next {@code count} calls of {@link #apply} fail with STORE_UNAVAILABLE after resolving, storing nothing. */
    public void failNextApplies(int count) {
        failuresToInject.set(count);
    }

    /**
     * Makes every call of {@link #apply} whose batch holds a change of {@code device} fail with
     * STORE_UNAVAILABLE (storing nothing) until called with null: keeps one device's changes pending for as
     * long as a test needs, whatever its retry timing.
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

        Map<RowKey, RowState> working = new HashMap<>();
        Set<String> seenInBatch = new HashSet<>();
        List<ChangeOutcome> outcomes = new ArrayList<>(changes.size());
        List<Change> appliedChanges = new ArrayList<>();
        List<AuditEntry> audit = new ArrayList<>();
        long head = data.head;
        long auditId = data.lastAuditId;
        for (Change change : changes) {
            if (data.processedIds.containsKey(change.changeId()) || !seenInBatch.add(change.changeId())) {
                outcomes.add(ChangeOutcome.duplicate(change.changeId()));
                continue;
            }
            RowKey key = new RowKey(change.table(), change.globalId());
            RowState current = working.containsKey(key) ? working.get(key) : data.rows.get(key);
            Resolution resolution = resolve(resolvers, current, change);
            if (resolution instanceof Resolution.Apply apply) {
                long sequence = ++head;
                RowState next = apply.state();
                if (!next.table().equals(change.table()) || !next.globalId().equals(change.globalId())) {
                    throw new PocketSyncException(ErrorCode.INTERNAL,
                            "conflict resolver for table " + change.table() + " returned a state of another row");
                }
                // firstSequence: the change that FIRST created the row, kept across delete and recreate
                long first = current == null ? sequence : current.firstSequence();
                boolean born = !next.deleted() && (current == null || current.deleted());
                RowState stored = next.withSequences(first, sequence);
                working.put(key, stored);
                outcomes.add(ChangeOutcome.applied(change.changeId(), sequence, stored));
                appliedChanges.add(asBroadcast(change, stored, born));
            }
            else if (resolution instanceof Resolution.Supersede && current != null) {
                outcomes.add(ChangeOutcome.superseded(change.changeId(), current));
                audit.add(new AuditEntry(++auditId, now, ChangeStatus.SUPERSEDED, change, current.lastChangeId(), null, null));
            }
            else {
                // superseding a change by a row that does not exist is refused like the real stores do
                Resolution.Reject reject = resolution instanceof Resolution.Reject r ? r
                        : new Resolution.Reject(ErrorCode.RESOLVER_REJECTED, "the server has no row to prefer over this change");
                outcomes.add(ChangeOutcome.rejected(change.changeId(), reject.code(), reject.reason()));
                audit.add(new AuditEntry(++auditId, now, ChangeStatus.REJECTED, change, null, reject.code(), reject.reason()));
            }
        }
        if (failuresToInject.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "injected store failure");
        }
        String failing = failingDevice;
        if (failing != null && changes.stream().anyMatch(change -> failing.equals(change.deviceId()))) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "injected store failure for device " + failing);
        }

        // commit
        long from = data.head;
        for (Map.Entry<RowKey, RowState> entry : working.entrySet()) {
            RowState previous = data.rows.put(entry.getKey(), entry.getValue());
            if (previous != null) {
                data.bySequence.remove(previous.lastSequence());
            }
            data.bySequence.put(entry.getValue().lastSequence(), entry.getKey());
            data.committedAt.put(entry.getKey(), now);
        }
        for (String id : seenInBatch) {
            data.processedIds.put(id, now);
        }
        data.audit.addAll(audit);
        data.lastAuditId = auditId;
        data.head = head;
        BatchOutcome outcome = new BatchOutcome(outcomes, from, head);
        if (!appliedChanges.isEmpty()) {
            CommittedBatch batch = new CommittedBatch(scope, nodeId, from, head, appliedChanges);
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
        return outcome;
    }

    private static Resolution resolve(Function<String, ConflictResolver> resolvers, RowState current, Change change) {
        Resolution resolution;
        try {
            ConflictResolver resolver = resolvers.apply(change.table());
            if (resolver == null) {
                throw new PocketSyncException(ErrorCode.INTERNAL, "no conflict resolver for table " + change.table());
            }
            resolution = resolver.resolve(current, change);
        }
        catch (PocketSyncException e) {
            throw e;
        }
        catch (RuntimeException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL,
                    "conflict resolver failed on change " + change.changeId() + "; nothing of the batch was stored", e);
        }
        if (resolution == null) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "conflict resolver returned null for change " + change.changeId());
        }
        return resolution;
    }

    /** The feed's view of an applied change: DELETE, INSERT when it brought the row (back) to life, else UPDATE. */
    private static Change asBroadcast(Change change, RowState stored, boolean born) {
        Op op = stored.deleted() ? Op.DELETE : born ? Op.INSERT : Op.UPDATE;
        List<String> columns = op == Op.UPDATE ? change.changedColumns() : List.of();
        return new Change(change.changeId(), change.table(), change.globalId(), op, stored.deleted() ? Map.of() : stored.row(),
                columns, change.hlc(), change.deviceId());
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

    /** The number of feed subscribers, for tests that check unsubscribing. */
    public int subscriberCount() {
        return listeners.size();
    }

    @Override
    public void close() {
        closed = true;
        listeners.clear();
        shared.nodes.remove(this);
    }

    private void checkOpen() {
        if (closed) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "store is closed");
        }
    }

    private record RowKey(String table, String globalId) {}

    /** The data every node of one {@link #sharing} family sees; also the lock that makes batches atomic. */
    private static final class Shared {
        final Map<Scope, ScopeData> scopes = new HashMap<>();
        final List<InMemoryServerStore> nodes = new CopyOnWriteArrayList<>();
    }

    private static final class ScopeData {
        final Map<RowKey, RowState> rows = new LinkedHashMap<>();
        final NavigableMap<Long, RowKey> bySequence = new TreeMap<>();
        final Map<RowKey, Instant> committedAt = new HashMap<>();
        final Map<String, Instant> processedIds = new HashMap<>();
        final List<AuditEntry> audit = new ArrayList<>();
        long head;
        long horizon;
        long lastAuditId;
    }
}
