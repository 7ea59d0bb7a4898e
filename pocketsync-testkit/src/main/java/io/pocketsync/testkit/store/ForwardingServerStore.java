package io.pocketsync.testkit.store;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.api.store.ChangeFeedListener;
import io.pocketsync.api.store.ScopeInfo;
import io.pocketsync.api.store.ServerStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A {@link ServerStore} that hands every call to another one: tests extend it and override the calls they
 * want to watch, delay or break (a failing read, a commit slipped in between two steps of the engine).
 *
 * <p>As thread-safe as the delegate and the overrides.
 */
public abstract class ForwardingServerStore implements ServerStore {
    private final ServerStore delegate;

    /**
     * Hands every call to {@code delegate}.
     *
     * @param delegate the store calls are handed to
     */
    protected ForwardingServerStore(ServerStore delegate) {
        this.delegate = requireNonNull(delegate, "delegate is null");
    }

    /**
     * The store calls are handed to.
     *
     * @return the delegate
     */
    protected final ServerStore delegate() {
        return delegate;
    }

    @Override
    public BatchOutcome apply(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers) {
        return delegate.apply(scope, changes, resolvers);
    }

    @Override
    public CatchUpPage page(Scope scope, long afterSequence, int limit, boolean includeDeleted) {
        return delegate.page(scope, afterSequence, limit, includeDeleted);
    }

    @Override
    public Optional<RowState> row(Scope scope, String table, String globalId) {
        return delegate.row(scope, table, globalId);
    }

    @Override
    public io.pocketsync.api.checksum.ScopeChecksums checksums(Scope scope, io.pocketsync.api.checksum.ChecksumLevel level) {
        return delegate.checksums(scope, level);
    }

    @Override
    public io.pocketsync.api.checksum.ScopeChecksums fineChecksums(Scope scope, String table) {
        return delegate.fineChecksums(scope, table);
    }

    @Override
    public List<RowState> rowsInBuckets(Scope scope, String table, java.util.Set<Integer> buckets) {
        return delegate.rowsInBuckets(scope, table, buckets);
    }

    @Override
    public ScopeInfo info(Scope scope) {
        return delegate.info(scope);
    }

    @Override
    public long deviceMark(Scope scope, String deviceId) {
        return delegate.deviceMark(scope, deviceId);
    }

    @Override
    public List<Scope> scopes() {
        return delegate.scopes();
    }

    @Override
    public long prune(Scope scope, Instant olderThan) {
        return delegate.prune(scope, olderThan);
    }

    @Override
    public List<AuditEntry> audit(Scope scope, long afterId, int limit) {
        return delegate.audit(scope, afterId, limit);
    }

    @Override
    public Optional<io.pocketsync.api.store.ScopeNotes> scopeNotes() {
        return delegate.scopeNotes();
    }

    @Override
    public void claimSession(Scope scope, String deviceId, String claim) {
        delegate.claimSession(scope, deviceId, claim);
    }

    @Override
    public io.pocketsync.api.Health health() {
        return delegate.health();
    }

    @Override
    public AutoCloseable subscribe(ChangeFeedListener listener) {
        return delegate.subscribe(listener);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
