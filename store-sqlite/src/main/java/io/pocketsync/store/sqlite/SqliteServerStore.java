package io.pocketsync.store.sqlite;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.checksum.ChecksumDelta;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.model.Version;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.api.store.ChangeFeedListener;
import io.pocketsync.api.store.CommittedBatch;
import io.pocketsync.api.store.RowKey;
import io.pocketsync.api.store.ScopeInfo;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.server.engine.store.ChangeFeedDispatcher;
import io.pocketsync.server.engine.store.StoreJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded server store: one SQLite file in WAL mode, for a single server node.
 *
 * <p>Writes go through ONE connection under a lock, one transaction per batch ({@code BEGIN IMMEDIATE}
 * ... {@code COMMIT}); sequences are assigned inside that transaction, so they are gap-free and become
 * visible in commit order. {@code synchronous=FULL} makes a returned {@link #apply} durable against
 * process kills and power loss. Reads use a small pool of separate connections, which see committed
 * snapshots and never wait for the writer. The change feed is in-process: listeners are called on one
 * feed thread after each commit, in commit order.
 *
 * <p>Thread-safe. Several instances (or processes) may open one file; SQLite's file lock then serialises
 * their writers and sequences stay correct, but each instance's feed only reports its own commits.
 */
public final class SqliteServerStore implements ServerStore {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteServerStore.class);

    private static final String ROW_COLUMNS = SqliteBatchWrites.ROW_COLUMNS;

    private final SqliteStoreConfig config;
    private final String nodeId;
    private final Clock clock;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final SqliteConnection writer;
    private final BlockingQueue<SqliteConnection> readers;
    private final ChangeFeedDispatcher feed;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean keepChecksums;

    /**
     * Opens (and if needed creates) the store file; checksums of row state are kept with every batch.
     *
     * @param config the validated settings
     * @param nodeId this server node's id, written into the change feed
     * @param clock the wall clock for audit and pruning times
     * @throws PocketSyncException with {@code STORE_UNAVAILABLE} when the file cannot be opened
     */
    public SqliteServerStore(SqliteStoreConfig config, String nodeId, Clock clock) {
        this(config, nodeId, clock, true);
    }

    /**
     * Opens (and if needed creates) the store file.
     *
     * @param config the validated settings
     * @param nodeId this server node's id, written into the change feed
     * @param clock the wall clock for audit and pruning times
     * @param keepChecksums whether to keep checksums of row state with every batch; without, {@link #checksums} scans
     *        the rows (for measuring what keeping them costs; a later open that keeps them computes them once)
     * @throws PocketSyncException with {@code STORE_UNAVAILABLE} when the file cannot be opened
     */
    public SqliteServerStore(SqliteStoreConfig config, String nodeId, Clock clock, boolean keepChecksums) {
        this.keepChecksums = keepChecksums;
        this.config = requireNonNull(config, "config is null");
        this.nodeId = requireNonNull(nodeId, "nodeId is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.readers = new ArrayBlockingQueue<>(config.readConnections());
        Path path = config.path();
        SqliteConnection opened = null;
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            opened = SqliteConnection.open(path, config, false);
            SqliteSchema.create(opened.jdbc());
            SqliteUniqueClaims.create(opened.jdbc());
            if (keepChecksums) {
                SqliteChecksums.create(opened);
            }
            else {
                SqliteChecksums.drop(opened);
            }
            for (int i = 0; i < config.readConnections(); i++) {
                readers.add(SqliteConnection.open(path, config, true));
            }
        }
        catch (SQLException | IOException e) {
            if (opened != null) {
                opened.close();
            }
            readers.forEach(SqliteConnection::close);
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "cannot open SQLite store at " + path, e);
        }
        this.writer = opened;
        this.feed = new ChangeFeedDispatcher("pocketsync-sqlite-feed");
        LOG.info("SQLite store opened at {} (synchronous={}, {} read connections)", path.toAbsolutePath(),
                config.synchronous(), config.readConnections());
    }

    @Override
    public BatchOutcome apply(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers) {
        requireNonNull(scope, "scope is null");
        requireNonNull(changes, "changes is null");
        requireNonNull(resolvers, "resolvers is null");
        writeLock.lock();
        try {
            ensureOpen();
            BatchPlan plan;
            try {
                plan = transaction(scope, changes, resolvers, true);
            }
            catch (SQLException e) {
                if (!SqliteBatchWrites.isOptimisticConflict(e)) {
                    throw e;
                }
                // An id was processed before or a row exists after all: INSERT OR ROLLBACK has undone the
                // transaction. Apply the batch again, reading what is there.
                plan = transaction(scope, changes, resolvers, false);
            }
            if (plan.appliedCount() > 0) {
                // Built on the feed thread (and only if someone listens): copying images is not the writer's work.
                BatchPlan committed = plan;
                feed.publish(() -> new CommittedBatch(scope, nodeId, committed.base(),
                        committed.base() + committed.appliedCount(), committed.feedChanges(0)));
            }
            return plan.outcome(0);
        }
        catch (SQLException e) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE,
                    "SQLite store failed; nothing of the batch was stored: " + e.getMessage(), e);
        }
        finally {
            writeLock.unlock();
        }
    }

    /** One transaction of a batch; {@code optimistic}: see {@link SqliteBatchWrites}. */
    private BatchPlan transaction(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers,
            boolean optimistic) throws SQLException {
        writer.execute("BEGIN IMMEDIATE");
        try {
            BatchPlan plan = applyInTransaction(scope, changes, resolvers, optimistic);
            writer.execute("COMMIT");
            return plan;
        }
        catch (SQLException e) {
            if (SqliteBatchWrites.isOptimisticConflict(e)) {
                rollbackIfOpen(); // INSERT OR ROLLBACK has rolled back already; anything else has not
            }
            else {
                rollback();
            }
            throw e;
        }
        catch (RuntimeException e) {
            rollback();
            throw e;
        }
    }

    private BatchPlan applyInTransaction(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers,
            boolean optimistic) throws SQLException {
        long head = 0;
        long auditSequence = 0;
        PreparedStatement selectScope = writer.prepared("SELECT head, audit_seq FROM ps_scopes WHERE scope = ?");
        selectScope.setString(1, scope.name());
        try (ResultSet rs = selectScope.executeQuery()) {
            if (rs.next()) {
                head = rs.getLong(1);
                auditSequence = rs.getLong(2);
            }
        }
        long now = clock.millis();
        List<String> ids = SqliteProcessedIds.ids(changes, !optimistic);
        Set<String> processedBefore;
        if (optimistic) {
            SqliteProcessedIds.insertNew(writer, scope, ids, now);
            processedBefore = Set.of();
        }
        else {
            processedBefore = SqliteProcessedIds.record(writer, scope, ids, now);
        }
        boolean allNew = optimistic && BatchPlan.createsOnlyNewRows(changes);
        Map<RowKey, RowState> stored = allNew ? Map.of()
                : SqliteBatchReads.loadRows(writer, SqliteBatchWrites.ROW_COLUMNS, scope, changes);
        BatchPlan plan;
        try {
            plan = BatchPlan.resolve(changes, resolvers,
                    SqliteUniqueClaims.rows(changes, stored, key -> readRow(writer, scope, key.table(), key.globalId()).orElse(null)),
                    processedBefore::contains, head, SqliteUniqueClaims.holders(writer, scope));
        }
        catch (SqliteUniqueClaims.Failure e) {
            throw e.sql();
        }
        if (plan.writesNothing()) {
            return plan;
        }
        SqliteUniqueClaims.write(writer, scope, plan.claimWrites());
        SqliteProcessedIds.recordBatch(writer, scope, plan.processedIds(), now);
        SqliteBatchWrites.writeRows(writer, scope, SqliteBatchWrites.states(plan.rows()), now, allNew);
        SqliteDeviceMarks.raise(writer, scope, changes, plan.outcome(0));
        if (keepChecksums) {
            SqliteChecksums.apply(writer, scope, ChecksumDelta.of(plan));
        }
        if (!plan.audits().isEmpty()) {
            PreparedStatement audit = writer.prepared("INSERT INTO ps_audit (scope, id, at, status, change_json, "
                    + "winner_change_id, error_code, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
            for (BatchPlan.PendingAudit entry : plan.audits()) {
                audit.setString(1, scope.name());
                audit.setLong(2, ++auditSequence);
                audit.setLong(3, now);
                audit.setString(4, entry.status().name());
                audit.setString(5, StoreJson.writeChange(entry.change()));
                audit.setString(6, entry.winnerChangeId());
                audit.setString(7, entry.errorCode() == null ? null : entry.errorCode().name());
                audit.setString(8, entry.reason());
                audit.addBatch();
            }
            audit.executeBatch();
        }
        PreparedStatement updateScope = writer.prepared("INSERT INTO ps_scopes (scope, head, horizon, audit_seq) "
                + "VALUES (?, ?, 0, ?) ON CONFLICT (scope) DO UPDATE SET head = excluded.head, audit_seq = excluded.audit_seq");
        updateScope.setString(1, scope.name());
        updateScope.setLong(2, head + plan.appliedCount());
        updateScope.setLong(3, auditSequence);
        updateScope.executeUpdate();
        return plan;
    }

    private void rollback() {
        try {
            writer.execute("ROLLBACK");
        }
        catch (SQLException e) {
            LOG.warn("rollback failed; SQLite rolls back on its own when the connection closes", e);
        }
    }

    private void rollbackIfOpen() {
        try {
            writer.execute("ROLLBACK");
        }
        catch (SQLException e) {
            LOG.trace("no transaction left to roll back", e);
        }
    }

    @Override
    public CatchUpPage page(Scope scope, long afterSequence, int limit, boolean includeDeleted) {
        requireNonNull(scope, "scope is null");
        if (limit < 1) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "page limit must be positive: " + limit);
        }
        return read(connection -> {
            PreparedStatement statement = connection.prepared("SELECT " + ROW_COLUMNS + " FROM ps_rows "
                    + "WHERE scope = ? AND last_seq > ?" + (includeDeleted ? "" : " AND deleted = 0")
                    + " ORDER BY last_seq LIMIT ?");
            statement.setString(1, scope.name());
            statement.setLong(2, afterSequence);
            statement.setLong(3, (long) limit + 1);
            List<RowState> rows = new ArrayList<>(Math.min(limit, 1024));
            boolean more = false;
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    if (rows.size() == limit) {
                        more = true;
                        break;
                    }
                    rows.add(rowState(rs));
                }
            }
            long next = rows.isEmpty() ? afterSequence : rows.get(rows.size() - 1).lastSequence();
            return new CatchUpPage(rows, next, more);
        });
    }

    @Override
    public Optional<RowState> row(Scope scope, String table, String globalId) {
        requireNonNull(scope, "scope is null");
        requireNonNull(table, "table is null");
        requireNonNull(globalId, "globalId is null");
        return read(connection -> readRow(connection, scope, table, globalId));
    }

    private static Optional<RowState> readRow(SqliteConnection connection, Scope scope, String table, String globalId)
            throws SQLException {
        PreparedStatement statement = connection.prepared(
                "SELECT " + ROW_COLUMNS + " FROM ps_rows WHERE scope = ? AND tbl = ? AND gid = ?");
        statement.setString(1, scope.name());
        statement.setString(2, table);
        statement.setString(3, globalId);
        try (ResultSet rs = statement.executeQuery()) {
            return rs.next() ? Optional.of(rowState(rs)) : Optional.empty();
        }
    }

    static RowState rowState(ResultSet rs) throws SQLException {
        return new RowState(rs.getString(1), rs.getString(2), StoreJson.readRow(rs.getString(3)), rs.getInt(4) != 0,
                new Version(new Hlc(rs.getLong(5)), rs.getString(6)), StoreJson.readVersions(rs.getString(7)),
                rs.getString(8), rs.getLong(9), rs.getLong(10));
    }

    @Override
    public ScopeChecksums checksums(Scope scope) {
        requireNonNull(scope, "scope is null");
        if (!keepChecksums) {
            return ServerStore.super.checksums(scope);
        }
        return read(connection -> SqliteChecksums.read(connection, scope));
    }

    @Override
    public List<RowState> rowsInBuckets(Scope scope, String table, Set<Integer> buckets) {
        requireNonNull(scope, "scope is null");
        return read(connection -> SqliteChecksums.rowsInBuckets(connection, scope, table, buckets));
    }

    @Override
    public ScopeInfo info(Scope scope) {
        requireNonNull(scope, "scope is null");
        return read(connection -> {
            PreparedStatement statement = connection.prepared("SELECT head, horizon FROM ps_scopes WHERE scope = ?");
            statement.setString(1, scope.name());
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? new ScopeInfo(rs.getLong(1), rs.getLong(2)) : new ScopeInfo(0, 0);
            }
        });
    }

    @Override
    public long deviceMark(Scope scope, String deviceId) {
        requireNonNull(scope, "scope is null");
        requireNonNull(deviceId, "deviceId is null");
        return read(connection -> SqliteDeviceMarks.read(connection, scope, deviceId));
    }

    @Override
    public List<Scope> scopes() {
        return read(connection -> {
            PreparedStatement statement = connection.prepared(
                    "SELECT scope FROM ps_scopes WHERE head > 0 OR audit_seq > 0 ORDER BY scope");
            List<Scope> scopes = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    scopes.add(Scope.of(rs.getString(1)));
                }
            }
            return scopes;
        });
    }

    @Override
    public long prune(Scope scope, Instant olderThan) {
        requireNonNull(scope, "scope is null");
        requireNonNull(olderThan, "olderThan is null");
        long cut = olderThan.toEpochMilli();
        writeLock.lock();
        try {
            ensureOpen();
            writer.execute("BEGIN IMMEDIATE");
            try {
                long horizon = pruneInTransaction(scope, cut);
                writer.execute("COMMIT");
                return horizon;
            }
            catch (RuntimeException | SQLException e) {
                rollback();
                throw e;
            }
        }
        catch (SQLException e) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "SQLite store failed to prune: " + e.getMessage(), e);
        }
        finally {
            writeLock.unlock();
        }
    }

    private long pruneInTransaction(Scope scope, long cut) throws SQLException {
        PreparedStatement selectHorizon = writer.prepared("SELECT horizon FROM ps_scopes WHERE scope = ?");
        selectHorizon.setString(1, scope.name());
        long horizon;
        try (ResultSet rs = selectHorizon.executeQuery()) {
            if (!rs.next()) {
                return 0;
            }
            horizon = rs.getLong(1);
        }
        PreparedStatement highest = writer.prepared(
                "SELECT max(last_seq) FROM ps_rows WHERE scope = ? AND deleted = 1 AND committed_at < ?");
        highest.setString(1, scope.name());
        highest.setLong(2, cut);
        try (ResultSet rs = highest.executeQuery()) {
            if (rs.next()) {
                horizon = Math.max(horizon, rs.getLong(1));
            }
        }
        SqliteProcessedIds.prune(writer, scope, cut);
        for (String sql : List.of("DELETE FROM ps_rows WHERE scope = ? AND deleted = 1 AND committed_at < ?",
                "DELETE FROM ps_audit WHERE scope = ? AND at < ?")) {
            PreparedStatement delete = writer.prepared(sql);
            delete.setString(1, scope.name());
            delete.setLong(2, cut);
            delete.executeUpdate();
        }
        PreparedStatement update = writer.prepared("UPDATE ps_scopes SET horizon = ? WHERE scope = ?");
        update.setLong(1, horizon);
        update.setString(2, scope.name());
        update.executeUpdate();
        return horizon;
    }

    @Override
    public List<AuditEntry> audit(Scope scope, long afterId, int limit) {
        requireNonNull(scope, "scope is null");
        return read(connection -> {
            PreparedStatement statement = connection.prepared("SELECT id, at, status, change_json, winner_change_id, "
                    + "error_code, reason FROM ps_audit WHERE scope = ? AND id > ? ORDER BY id LIMIT ?");
            statement.setString(1, scope.name());
            statement.setLong(2, afterId);
            statement.setInt(3, Math.max(0, limit));
            List<AuditEntry> entries = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    String code = rs.getString(6);
                    entries.add(new AuditEntry(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)),
                            ChangeStatus.valueOf(rs.getString(3)), StoreJson.readChange(rs.getString(4)), rs.getString(5),
                            code == null ? null : ErrorCode.valueOf(code), rs.getString(7)));
                }
            }
            return entries;
        });
    }

    @Override
    public void claimSession(Scope scope, String deviceId, String claim) {
        // the feed is this process's: nodes sharing this store object compare their sessions through it
        feed.sessionClaimed(scope, deviceId, claim);
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
        feed.close();
        writeLock.lock();
        try {
            writer.close();
        }
        finally {
            writeLock.unlock();
        }
        for (int i = 0; i < config.readConnections(); i++) {
            try {
                SqliteConnection reader = readers.poll(config.busyTimeout().toMillis(), TimeUnit.MILLISECONDS);
                if (reader != null) {
                    reader.close();
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.info("SQLite store at {} closed", config.path().toAbsolutePath());
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "the SQLite store is closed");
        }
    }

    @FunctionalInterface
    private interface ReadAction<T> {
        T run(SqliteConnection connection) throws SQLException;
    }

    private <T> T read(ReadAction<T> action) {
        ensureOpen();
        SqliteConnection connection;
        try {
            connection = readers.poll(config.busyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "interrupted while waiting for a read connection", e);
        }
        if (connection == null) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "no SQLite read connection free in time");
        }
        try {
            return action.run(connection);
        }
        catch (SQLException e) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "SQLite read failed: " + e.getMessage(), e);
        }
        finally {
            if (closed.get()) {
                connection.close();
            }
            else {
                readers.add(connection);
            }
        }
    }
}
