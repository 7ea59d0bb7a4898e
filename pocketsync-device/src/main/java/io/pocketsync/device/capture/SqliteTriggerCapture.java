package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.BulkPage;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.DeviceState;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.capture.TableCatchUp;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.protocol.AppliedRange;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangesMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The {@code sqlite-triggers} {@link ChangeCapture}: AFTER INSERT/UPDATE/DELETE triggers generated from
 * {@code PRAGMA table_info} (see {@link TriggerGenerator}) write a narrow journal row inside the writer's own
 * transaction, on any connection or process; {@link JournalSealer} turns the journal into pending changes in
 * {@code __pocketsync_changes} before anything reads them (push, ACK, apply), so app writes pay only for the
 * journal row.
 *
 * <p>Owns one connection taken from the data source (WAL, busy timeout, IMMEDIATE transactions).
 * Thread-safe: every method is synchronized; the device engine calls it from its engine thread.
 */
public final class SqliteTriggerCapture implements ChangeCapture {
    private final CaptureResources resources;
    private final CaptureSchemas schemas;
    private final CaptureChecksums checksums;
    private final PushSealing pushSealing;
    private final ScopeBinding binding;
    private final RemotePages remote;
    private final BulkCapture bulk;
    private final CaptureInstall install;

    /**
     * A capture of the SQLite database behind {@code dataSource}; it opens nothing until installed.
     *
     * @param dataSource the device database (sqlite-jdbc); not null
     * @param clock stamps local changes; not null
     * @param options busy timeout and pruning limits; not null
     */
    public SqliteTriggerCapture(DataSource dataSource, Clock clock, CaptureOptions options) {
        this.resources = new CaptureResources(dataSource, clock, options);
        this.schemas = new CaptureSchemas(resources);
        this.checksums = new CaptureChecksums(resources, schemas);
        this.pushSealing = new PushSealing(resources, schemas);
        this.binding = new ScopeBinding(resources, schemas);
        this.remote = new RemotePages(resources, schemas);
        this.bulk = new BulkCapture(resources, schemas, options.progressInterval());
        this.install = new CaptureInstall(resources, schemas, pushSealing);
    }

    @Override
    public synchronized void install(List<String> tables) {
        install.install(tables, this::seal);
    }

    @Override
    public synchronized boolean refreshSchema() {
        return refreshSchema(false);
    }

    private boolean refreshSchema(boolean forceCheck) {
        return schemas.refreshSchema(forceCheck);
    }

    /**
     * Drops a column of a tracked table. SQLite refuses {@code ALTER TABLE ... DROP COLUMN} for a column the capture
     * triggers name, so this drops them, the column, and makes them again, in one transaction: no write goes
     * uncaptured. The column then is one this device lacks (values other devices still send for it are kept, see
     * {@link MissingColumns}), and its images no longer carry it (unchanged, for every receiver).
     *
     * @param table a tracked table
     * @param column one of its columns
     * @throws PocketSyncException with {@code SCHEMA_INVALID} when the table is not tracked or SQLite refuses the drop
     *         (a key, indexed or referenced column); nothing changed then
     */
    public synchronized void dropColumn(String table, String column) {
        schemas.dropColumn(table, column);
    }

    @Override
    public synchronized long changeCounter() {
        return CaptureReads.changeCounter(connection());
    }

    @Override
    public synchronized Map<String, Long> tableVersions() {
        refreshSchema(false);
        return CaptureReads.tableVersions(connection());
    }

    @Override
    public synchronized void bindScope(String scope) {
        binding.bindScope(scope);
    }

    /**
     * {@inheritDoc} Every view's scope is bound when the view is made; it is made active (its state in the state row)
     * before each of its calls.
     */
    @Override
    public synchronized ChangeCapture scope(String scope, List<String> tables) {
        binding.bindTables(scope, tables);
        return new ScopedCapture(this, scope);
    }

    /** Makes {@code scope} the active one, unless it is (a view's call, under this lock). */
    synchronized void activate(String scope) {
        binding.activate(scope);
    }

    @Override
    public synchronized List<LocalChange> pending(long afterLocalSequence, int limit) {
        sealFor(afterLocalSequence, limit);
        try {
            return ChangeLogReader.pending(statements(), afterLocalSequence, limit, deviceId(), schemas.schemas());
        }
        catch (SQLException e) {
            throw Sql.failure("reading pending changes failed", e);
        }
    }

    @Override
    public synchronized long pendingCount() {
        seal();
        return CaptureReads.pendingCount(connection()) + bulk.remaining(false);
    }

    @Override
    public synchronized @Nullable BulkPage bulkPage(@Nullable BulkPage after, int rows, long maxBytes) {
        return bulk.page(after, rows, maxBytes);
    }

    @Override
    public synchronized List<String> bulkTables() {
        return bulk.tables();
    }

    @Override
    public synchronized ApplyReport acknowledgeBulk(BulkPage page, List<ChangeResult> results, @Nullable AppliedRange applied) {
        return bulk.acknowledge(page, results, applied);
    }

    @Override
    public synchronized long pendingEstimate() {
        try {
            if (!InstallSealing.bulk(statements())) {
                seal();
                return CaptureReads.pendingCount(connection()) + bulk.remaining(true);
            }
        }
        catch (SQLException e) {
            throw Sql.failure("reading the capture journal failed", e);
        }
        return CaptureReads.pendingCount(connection()) + CaptureReads.journalCount(connection()) + bulk.remaining(true);
    }

    @Override
    public synchronized long parkedCount() {
        return CaptureReads.parkedCount(connection());
    }

    @Override
    public synchronized long ownChangesFrom(long cursor) {
        // nothing journaled was sent yet, so no server state can be the device's own unsealed write
        try {
            return applier().ownChangesFrom(cursor);
        }
        catch (SQLException e) {
            throw Sql.failure("reading acknowledged changes failed", e);
        }
    }

    @Override
    public synchronized boolean repairIfBehind(long deviceMark) {
        return repairIfBehind(deviceMark, Long.MAX_VALUE);
    }

    @Override
    public synchronized boolean repairIfBehind(long deviceMark, long headCursor) {
        Connection c = connection();
        return resources.inTransaction(() -> OwnRowsRepair.check(c, deviceMark, headCursor));
    }

    @Override
    public synchronized boolean repairing() {
        try {
            return OwnRowsRepair.repairing(connection());
        }
        catch (SQLException e) {
            throw Sql.failure("reading the device state failed", e);
        }
    }

    @Override
    public synchronized List<String> subscribe() {
        refreshSchema(false);
        return binding.subscribe();
    }

    @Override
    public synchronized void resync() {
        Connection c = connection();
        resources.inTransaction(() -> {
            OwnRowsRepair.resync(c);
            return null;
        });
    }

    @Override
    public synchronized ApplyReport acknowledge(List<ChangeResult> results) {
        requireNonNull(results, "results is null");
        refreshSchema(false);
        Connection c = connection();
        return resources.inTransaction(() -> {
            // Only a winner or a deferred change writes an app row here: then what is journaled is sealed first, as
            // before any remote write. Marking changes acknowledged leaves the journal for the next PUSH's rounds.
            // a refused row (UNIQUE_CONFLICT) leaves its table: its unsealed writes are sealed first, so none is lost
            // and so does one a read-only grant refused (SCOPE_READ_ONLY) that the server does not have
            if (results.stream().anyMatch(result -> result.winner() != null || result.errorCode() == ErrorCode.UNIQUE_CONFLICT
                    || result.errorCode() == ErrorCode.SCOPE_READ_ONLY)
                    || applier().hasDeferred()) {
                sealJournal();
            }
            ApplyReport report = applier().applyResults(schemas.schemas(), deviceId(), results);
            // causality, as for pages: an edit made after the device saw a winner orders after it (the ACK's server
            // clock covers it only when the winner was stored through this server node)
            long newest = 0;
            for (ChangeResult result : results) {
                newest = result.winner() == null ? newest : Math.max(newest, result.winner().hlc().value());
            }
            if (newest > 0) {
                sealer().mergeClock(newest);
            }
            return report;
        });
    }

    @Override
    public synchronized ApplyReport apply(List<Change> changes, List<Long> sequences, long fromCursor, long toCursor,
            ChangesMode mode, boolean lastPage) {
        requireNonNull(mode, "mode is null");
        // an empty LIVE or catch-up page only moves the cursor and writes no row: nothing to seal first
        return remote.apply(changes, sequences, !changes.isEmpty() || mode == ChangesMode.SNAPSHOT, () -> applier().applyPage(
                schemas.schemas(), deviceId(), changes, sequences, fromCursor, toCursor, mode, lastPage));
    }

    @Override
    public synchronized @Nullable TableCatchUp tableCatchUp() {
        try {
            return TableJoin.state(connection());
        }
        catch (SQLException e) {
            throw Sql.failure("reading the table catch-up failed", e);
        }
    }

    @Override
    public synchronized ApplyReport applyTables(List<String> tables, List<Change> changes, List<Long> sequences,
            long fromCursor, long toCursor, boolean lastPage) {
        requireNonNull(tables, "tables is null");
        return remote.apply(changes, sequences, !changes.isEmpty(), () -> applier().applyTablePage(schemas.schemas(), deviceId(),
                tables, changes, sequences, fromCursor, toCursor, lastPage));
    }

    @Override
    public synchronized ScopeChecksums checksums() {
        return checksums.checksums();
    }

    @Override
    public synchronized Map<String, Long> rowHashes(String table, Set<Integer> buckets) {
        return checksums.rowHashes(table, buckets);
    }

    @Override
    public synchronized Set<String> unsettledRows(String table) {
        return checksums.unsettledRows(table);
    }

    @Override
    public synchronized int repair(String table, List<Change> rows, List<Long> sequences, Collection<String> unknownToServer,
            long atSequence, boolean write) {
        return checksums.repair(table, rows, sequences, unknownToServer, atSequence, write);
    }

    @Override
    public synchronized DeviceState state() {
        return CaptureReads.state(connection());
    }

    @Override
    public synchronized void clockOffset(long offsetMillis) {
        refreshSchema(false);
        resources.inTransaction(() -> ClockCorrection.apply(statements(), offsetMillis, () -> {
            sealJournal();
            return null;
        }));
    }

    @Override
    public synchronized int restampAhead(long serverTimeMillis) {
        return resources.inTransaction(() -> ClockCorrection.restampAhead(statements(), serverTimeMillis));
    }

    @Override
    public synchronized void mergeClock(Hlc remote) {
        requireNonNull(remote, "remote is null");
        // What is journaled was written before this merge and must be stamped without it, or the merged clock
        // would stamp an earlier write after a remote change it never saw: the merge is journaled after it.
        refreshSchema(false);
        resources.inTransaction(() -> {
            sealer().mergeClock(remote.value());
            return null;
        });
    }

    /**
     * Seals the journal into pending changes (see {@link JournalSealer}); starts a write transaction only
     * when the journal holds something.
     */
    private void seal() {
        refreshSchema(false);
        try {
            if (!sealer().hasWork()) {
                return;
            }
        }
        catch (SQLException e) {
            throw Sql.failure("reading the capture journal failed", e);
        }
        resources.inTransaction(() -> {
            sealJournal();
            return null;
        });
    }

    /** See {@link PushSealing#sealFor}. */
    private void sealFor(long afterLocalSequence, int limit) {
        refreshSchema(false);
        pushSealing.sealFor(afterLocalSequence, limit);
    }

    /** Seals inside the caller's write transaction (an empty journal costs one read). */
    private void sealJournal() throws SQLException {
        schemas.sealJournal();
    }

    private JournalSealer sealer() {
        return resources.sealer();
    }

    /** The prepared statements of the engine's connection (shared with the sealer). */
    private StatementCache statements() {
        return resources.statements();
    }

    @Override
    public synchronized void close() {
        resources.close();
    }

    private String deviceId() {
        return resources.deviceId();
    }

    private RemoteApplier applier() {
        return resources.applier();
    }

    private Connection connection() {
        return resources.connection();
    }
}
