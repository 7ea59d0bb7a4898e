package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.BulkPage;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.DeviceState;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.capture.TableCatchUp;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.protocol.AppliedRange;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangesMode;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One scope of a {@link SqliteTriggerCapture} that syncs several ({@link SqliteTriggerCapture#scope}): each call makes
 * the scope active (its state in the state row, the other scopes' tables left out, see {@link ScopeStates}) and runs
 * on the capture, under the capture's lock. Thread-safe as the capture is.
 */
final class ScopedCapture implements ChangeCapture {
    private final SqliteTriggerCapture capture;
    private final String scope;

    ScopedCapture(SqliteTriggerCapture capture, String scope) {
        this.capture = requireNonNull(capture, "capture is null");
        this.scope = requireNonNull(scope, "scope is null");
    }

    /** The capture with this scope active; the caller holds the capture's lock. */
    private SqliteTriggerCapture active() {
        capture.activate(scope);
        return capture;
    }

    @Override
    public void install(List<String> tables) {
        // the capture is installed with every scope's tables; a view has nothing more to install
    }

    @Override
    public boolean refreshSchema() {
        return capture.refreshSchema();
    }

    @Override
    public long changeCounter() {
        return capture.changeCounter();
    }

    @Override
    public Map<String, Long> tableVersions() {
        return capture.tableVersions();
    }

    @Override
    public void bindScope(String other) {
        if (!scope.equals(other)) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "the view of scope " + scope + " cannot sync scope " + other);
        }
        synchronized (capture) {
            active();
        }
    }

    @Override
    public List<LocalChange> pending(long afterLocalSequence, int limit) {
        synchronized (capture) {
            return active().pending(afterLocalSequence, limit);
        }
    }

    @Override
    public long ownChangesFrom(long cursor) {
        synchronized (capture) {
            return active().ownChangesFrom(cursor);
        }
    }

    @Override
    public boolean repairIfBehind(long deviceMark) {
        synchronized (capture) {
            return active().repairIfBehind(deviceMark);
        }
    }

    @Override
    public boolean repairIfBehind(long deviceMark, long headCursor) {
        synchronized (capture) {
            return active().repairIfBehind(deviceMark, headCursor);
        }
    }

    @Override
    public boolean repairing() {
        synchronized (capture) {
            return active().repairing();
        }
    }

    @Override
    public List<String> subscribe() {
        synchronized (capture) {
            return active().subscribe();
        }
    }

    @Override
    public @Nullable TableCatchUp tableCatchUp() {
        synchronized (capture) {
            return active().tableCatchUp();
        }
    }

    @Override
    public List<String> bulkTables() {
        synchronized (capture) {
            return active().bulkTables();
        }
    }

    @Override
    public ApplyReport applyTables(List<String> tables, List<Change> changes, List<Long> sequences, long fromCursor,
            long toCursor, boolean lastPage) {
        synchronized (capture) {
            return active().applyTables(tables, changes, sequences, fromCursor, toCursor, lastPage);
        }
    }

    @Override
    public void resync() {
        synchronized (capture) {
            active().resync();
        }
    }

    @Override
    public long pendingCount() {
        synchronized (capture) {
            return active().pendingCount();
        }
    }

    @Override
    public long pendingEstimate() {
        synchronized (capture) {
            return active().pendingEstimate();
        }
    }

    @Override
    public long parkedCount() {
        synchronized (capture) {
            return active().parkedCount();
        }
    }

    @Override
    public ApplyReport acknowledge(List<ChangeResult> results) {
        synchronized (capture) {
            return active().acknowledge(results);
        }
    }

    @Override
    public @Nullable BulkPage bulkPage(@Nullable BulkPage after, int rows, long maxBytes) {
        synchronized (capture) {
            return active().bulkPage(after, rows, maxBytes);
        }
    }

    @Override
    public ApplyReport acknowledgeBulk(BulkPage page, List<ChangeResult> results, @Nullable AppliedRange applied) {
        synchronized (capture) {
            return active().acknowledgeBulk(page, results, applied);
        }
    }

    @Override
    public ApplyReport apply(List<Change> changes, List<Long> sequences, long fromCursor, long toCursor, ChangesMode mode,
            boolean lastPage) {
        synchronized (capture) {
            return active().apply(changes, sequences, fromCursor, toCursor, mode, lastPage);
        }
    }

    @Override
    public DeviceState state() {
        synchronized (capture) {
            return active().state();
        }
    }

    @Override
    public void mergeClock(Hlc remote) {
        capture.mergeClock(remote);
    }

    @Override
    public void clockOffset(long offsetMillis) {
        capture.clockOffset(offsetMillis);
    }

    @Override
    public ScopeChecksums checksums() {
        synchronized (capture) {
            return active().checksums();
        }
    }

    @Override
    public Map<String, Long> rowHashes(String table, Set<Integer> buckets) {
        synchronized (capture) {
            return active().rowHashes(table, buckets);
        }
    }

    @Override
    public Set<String> unsettledRows(String table) {
        synchronized (capture) {
            return active().unsettledRows(table);
        }
    }

    @Override
    public int repair(String table, List<Change> rows, List<Long> sequences, Collection<String> unknownToServer,
            long atSequence, boolean write) {
        synchronized (capture) {
            return active().repair(table, rows, sequences, unknownToServer, atSequence, write);
        }
    }

    @Override
    public int restampAhead(long serverTimeMillis) {
        return capture.restampAhead(serverTimeMillis);
    }

    @Override
    public void close() {
        // the device closes the capture itself
    }
}
