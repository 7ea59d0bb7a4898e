package io.pocketsync.testkit.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.BulkPage;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.DeviceState;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.protocol.AppliedRange;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangesMode;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ChangeCapture} that hands every call to another one: tests extend it and override the calls they
 * want to count, delay or break, the way {@code ForwardingServerStore} does for stores.
 *
 * <p>As thread-safe as the delegate and the overrides.
 */
public abstract class ForwardingChangeCapture implements ChangeCapture {
    private final ChangeCapture delegate;

    /**
     * Hands every call to {@code delegate}.
     *
     * @param delegate the capture calls are handed to
     */
    protected ForwardingChangeCapture(ChangeCapture delegate) {
        this.delegate = requireNonNull(delegate, "delegate is null");
    }

    /**
     * The capture calls are handed to.
     *
     * @return the delegate
     */
    protected final ChangeCapture delegate() {
        return delegate;
    }

    @Override
    public void install(List<String> tables) {
        delegate.install(tables);
    }

    @Override
    public boolean refreshSchema() {
        return delegate.refreshSchema();
    }

    @Override
    public long changeCounter() {
        return delegate.changeCounter();
    }

    @Override
    public Map<String, Long> tableVersions() {
        return delegate.tableVersions();
    }

    @Override
    public void bindScope(String scope) {
        delegate.bindScope(scope);
    }

    @Override
    public List<LocalChange> pending(long afterLocalSequence, int limit) {
        return delegate.pending(afterLocalSequence, limit);
    }

    @Override
    public long ownChangesFrom(long cursor) {
        return delegate.ownChangesFrom(cursor);
    }

    @Override
    public boolean repairIfBehind(long deviceMark) {
        return delegate.repairIfBehind(deviceMark);
    }

    @Override
    public boolean repairIfBehind(long deviceMark, long headCursor) {
        return delegate.repairIfBehind(deviceMark, headCursor);
    }

    @Override
    public boolean repairing() {
        return delegate.repairing();
    }

    @Override
    public void resync() {
        delegate.resync();
    }

    @Override
    public long pendingCount() {
        return delegate.pendingCount();
    }

    @Override
    public long parkedCount() {
        return delegate.parkedCount();
    }

    @Override
    public ApplyReport acknowledge(List<ChangeResult> results) {
        return delegate.acknowledge(results);
    }

    @Override
    public List<String> bulkTables() {
        return delegate.bulkTables();
    }

    @Override
    public @Nullable BulkPage bulkPage(@Nullable BulkPage after, int rows, long maxBytes) {
        return delegate.bulkPage(after, rows, maxBytes);
    }

    @Override
    public ApplyReport acknowledgeBulk(BulkPage page, List<ChangeResult> results, @Nullable AppliedRange applied) {
        return delegate.acknowledgeBulk(page, results, applied);
    }

    @Override
    public ApplyReport apply(List<Change> changes, List<Long> sequences, long fromCursor, long toCursor, ChangesMode mode,
            boolean lastPage) {
        return delegate.apply(changes, sequences, fromCursor, toCursor, mode, lastPage);
    }

    @Override
    public DeviceState state() {
        return delegate.state();
    }

    @Override
    public void mergeClock(Hlc remote) {
        delegate.mergeClock(remote);
    }

    @Override
    public void clockOffset(long offsetMillis) {
        delegate.clockOffset(offsetMillis);
    }

    @Override
    public int restampAhead(long serverTimeMillis) {
        return delegate.restampAhead(serverTimeMillis);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
