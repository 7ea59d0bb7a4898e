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
 * <p>One lock guards everything, so batches are trivially atomic and sequences become visible in
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
    private final Map<Scope, ScopeData> scopes = new HashMap<>();
    private final List<ChangeFeedListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresToInject = new AtomicInteger();
    private boolean closed;

    /** A store for node {@code node-1} on the system clock. */
    public InMemoryServerStore() {
        this("node-1", Clock.systemUTC());
    }

    /**
     * @param nodeId the node id written into feed events
     * @param clock the clock that stamps commits (prune compares against it)
     */
    public InMemoryServerStore(String nodeId, Clock clock) {
        this.nodeId = requireNonNull(nodeId, "nodeId is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Makes the next {@code count} calls of {@link #apply} fail with STORE_UNAVAILABLE after resolving, storing nothing. */
    public void failNextApplies(int count) {
        failuresToInject.set(count);
    }

    @Override
    public synchronized BatchOutcome apply(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers) {
        requireNonNull(scope, "scope is null");
        requireNonNull(changes, "changes is null");
        requireNonNull(resolvers, "resolvers is null");
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
            ConflictResolver resolver = requireNonNull(resolvers.apply(change.table()), "no resolver for table " + change.table());
            Resolution resolution = requireNonNull(resolver.resolve(current, change), "resolver returned null");
            if (resolution instanceof Resolution.Apply apply) {
                long sequence = ++head;
                RowState next = apply.state();
                boolean born = current == null || (current.deleted() && !next.deleted());
                long first = born ? sequence : current.firstSequence();
                RowState stored = next.withSequences(first, sequence);
                working.put(key, stored);
                outcomes.add(ChangeOutcome.applied(change.changeId(), sequence, stored));
                appliedChanges.add(asBroadcast(change, stored));
            }
            else if (resolution instanceof Resolution.Supersede) {
                if (current == null) {
                    throw new PocketSyncException(ErrorCode.INTERNAL, "resolver superseded a change to a row with no state");
                }
                outcomes.add(ChangeOutcome.superseded(change.changeId(), current));
                audit.add(new AuditEntry(++auditId, now, ChangeStatus.SUPERSEDED, change, current.lastChangeId(), null, null));
            }
            else {
                Resolution.Reject reject = (Resolution.Reject) resolution;
                outcomes.add(ChangeOutcome.rejected(change.changeId(), reject.code(), reject.reason()));
                audit.add(new AuditEntry(++auditId, now, ChangeStatus.REJECTED, change, null, reject.code(), reject.reason()));
            }
        }
        if (failuresToInject.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "injected store failure");
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
            for (ChangeFeedListener listener : listeners) {
                try {
                    listener.onCommitted(batch);
                }
                catch (RuntimeException e) {
                    // a broken listener must not undo a commit or starve the other listeners
                }
            }
        }
        return outcome;
    }

    private static Change asBroadcast(Change change, RowState stored) {
        Op op = stored.deleted() ? Op.DELETE : (change.op() == Op.DELETE ? Op.UPDATE : change.op());
        return change.withRow(op, stored.deleted() ? Map.of() : stored.row());
    }

    @Override
    public synchronized CatchUpPage page(Scope scope, long afterSequence, int limit, boolean includeDeleted) {
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

    @Override
    public synchronized Optional<RowState> row(Scope scope, String table, String globalId) {
        checkOpen();
        ScopeData data = scopes.get(scope);
        return data == null ? Optional.empty() : Optional.ofNullable(data.rows.get(new RowKey(table, globalId)));
    }

    @Override
    public synchronized ScopeInfo info(Scope scope) {
        checkOpen();
        ScopeData data = scopes.get(scope);
        return data == null ? new ScopeInfo(0, 0) : new ScopeInfo(data.head, data.horizon);
    }

    @Override
    public synchronized List<Scope> scopes() {
        checkOpen();
        return List.copyOf(scopes.keySet());
    }

    @Override
    public synchronized long prune(Scope scope, Instant olderThan) {
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

    @Override
    public synchronized List<AuditEntry> audit(Scope scope, long afterId, int limit) {
        checkOpen();
        ScopeData data = scopes.get(scope);
        if (data == null) {
            return List.of();
        }
        return data.audit.stream().filter(entry -> entry.id() > afterId).limit(Math.max(0, limit)).toList();
    }

    @Override
    public AutoCloseable subscribe(ChangeFeedListener listener) {
        requireNonNull(listener, "listener is null");
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
    public synchronized void close() {
        closed = true;
        listeners.clear();
    }

    private void checkOpen() {
        if (closed) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "store is closed");
        }
    }

    private record RowKey(String table, String globalId) {}

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
