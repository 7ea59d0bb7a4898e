package io.pocketsync.store.sqlite;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Health;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.checksum.ChecksumLevel;
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
import io.pocketsync.api.store.CommittedBatch;
import io.pocketsync.api.store.ScopeInfo;
import io.pocketsync.api.store.ScopeNotes;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.server.engine.store.ChangeFeedDispatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
 * snapshots and never wait for the writer. Committed pages are copied from the WAL into the file on a thread of
 * its own ({@link SqliteCheckpointer}), not in the writer's commits. The change feed is in-process: listeners are called on one
 * feed thread after each commit, in commit order.
 *
 * <p>A write that fails for a storage fault (a full disk, an I/O error, a read-only file) rolls back and leaves the
 * writer clean, so the store writes again as soon as the fault is gone, with no restart; meanwhile {@link #health()}
 * is down with the cause, and probes with a one-row write at most once a second.
 *
 * <p>Thread-safe. Several instances (or processes) may open one file; SQLite's file lock then serialises
 * their writers and sequences stay correct, but each instance's feed only reports its own commits.
 */
public final class SqliteServerStore implements ServerStore {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteServerStore.class);

    private final SqliteStoreConfig config;
    private final String nodeId;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final SqliteConnection writer;
    private final SqliteReaders readers;
    private final ChangeFeedDispatcher feed;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean keepChecksums;
    private final SqliteBatchTransaction batches;
    private final SqliteWriteHealth health;
    private final SqliteScopeNotes notes;
    private final SqliteCheckpointer checkpointer;

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
        requireNonNull(clock, "clock is null");
        Path path = config.path();
        SqliteConnection opened = null;
        SqliteCheckpointer checkpoints = null;
        SqliteReaders pool = new SqliteReaders(config);
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            opened = SqliteConnection.open(path, config, false);
            SqliteSchema.create(opened.jdbc());
            SqliteUniqueClaims.create(opened.jdbc());
            SqliteScopeNotes.create(opened.jdbc());
            if (keepChecksums) {
                SqliteChecksums.create(opened);
            }
            else {
                SqliteChecksums.drop(opened);
            }
            pool.open(path);
            checkpoints = new SqliteCheckpointer(path, config, opened);
        }
        catch (SQLException | IOException e) {
            if (opened != null) {
                opened.close();
            }
            pool.close();
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "cannot open SQLite store at " + path, e);
        }
        this.writer = opened;
        this.readers = pool;
        this.checkpointer = checkpoints;
        this.batches = new SqliteBatchTransaction(opened, clock, keepChecksums);
        this.feed = new ChangeFeedDispatcher("pocketsync-sqlite-feed");
        this.health = new SqliteWriteHealth(path, opened, writeLock, clock);
        this.notes = new SqliteScopeNotes(writeLock, opened, this::ensureOpen, this::read);
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
            SqliteBatchTransaction.Committed committed;
            try {
                committed = batches.transaction(scope, changes, resolvers, true);
            }
            catch (SQLException e) {
                if (!SqliteBatchWrites.isOptimisticConflict(e)) {
                    throw e;
                }
                // An id was processed before or a row exists after all: INSERT OR ROLLBACK has undone the
                // transaction. Apply the batch again, reading what is there.
                committed = batches.transaction(scope, changes, resolvers, false);
            }
            health.succeeded();
            BatchPlan plan = committed.plan();
            checkpointer.committed(plan.rows().size());
            if (plan.appliedCount() > 0) {
                // Built on the feed thread (and only if someone listens): copying images is not the writer's work.
                feed.publish(() -> new CommittedBatch(scope, nodeId, plan.base(), plan.base() + plan.appliedCount(),
                        plan.feedChanges(0)));
            }
            return committed.outcome();
        }
        catch (SQLException e) {
            throw writeFailed("nothing of the batch was stored", e);
        }
        finally {
            writeLock.unlock();
        }
    }

    @Override
    public CatchUpPage page(Scope scope, long afterSequence, int limit, boolean includeDeleted) {
        requireNonNull(scope, "scope is null");
        if (limit < 1) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "page limit must be positive: " + limit);
        }
        return read(connection -> SqliteRowReads.page(connection, scope, afterSequence, limit, includeDeleted));
    }

    @Override
    public Optional<RowState> row(Scope scope, String table, String globalId) {
        requireNonNull(scope, "scope is null");
        requireNonNull(table, "table is null");
        requireNonNull(globalId, "globalId is null");
        return read(connection -> SqliteRowReads.row(connection, scope, table, globalId));
    }

    @Override
    public ScopeChecksums checksums(Scope scope, ChecksumLevel level) {
        requireNonNull(scope, "scope is null");
        requireNonNull(level, "level is null");
        if (!keepChecksums) {
            return ServerStore.super.checksums(scope, level);
        }
        // kept at the fine level (its upkeep costs SQLite no more than the coarse one would), folded for the coarse one
        return read(connection -> SqliteChecksums.read(connection, scope, null)).at(level);
    }

    @Override
    public ScopeChecksums fineChecksums(Scope scope, String table) {
        requireNonNull(scope, "scope is null");
        requireNonNull(table, "table is null");
        return keepChecksums ? read(connection -> SqliteChecksums.read(connection, scope, table))
                : ServerStore.super.fineChecksums(scope, table);
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
            try {
                writer.execute("BEGIN IMMEDIATE");
                long horizon = SqlitePrune.inTransaction(writer, scope, cut);
                writer.execute("COMMIT");
                health.succeeded();
                return horizon;
            }
            catch (RuntimeException | SQLException e) {
                SqliteBatchTransaction.recover(writer);
                throw e;
            }
        }
        catch (SQLException e) {
            throw writeFailed("nothing was pruned", e);
        }
        finally {
            writeLock.unlock();
        }
    }

    @Override
    public List<AuditEntry> audit(Scope scope, long afterId, int limit) {
        requireNonNull(scope, "scope is null");
        return read(connection -> SqliteAuditReads.read(connection, scope, afterId, limit));
    }

    /** Down while writes fail for a storage fault; probes (a one-row write) at most once a second meanwhile. */
    @Override
    public Health health() {
        return closed.get() ? Health.down("the SQLite store is closed") : health.health();
    }

    /** A write failed (the writer is clean again): health down, and the error for the caller. */
    private PocketSyncException writeFailed(String outcome, SQLException e) {
        health.failed(e);
        return new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "SQLite store cannot write: " + SqliteFaults.reason(e) + "; "
                + outcome, e);
    }

    @Override
    public void claimSession(Scope scope, String deviceId, String claim) {
        // the feed is this process's: nodes sharing this store object compare their sessions through it
        feed.sessionClaimed(scope, deviceId, claim);
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
        feed.close();
        checkpointer.close();
        writeLock.lock();
        try {
            writer.close();
        }
        finally {
            writeLock.unlock();
        }
        readers.close();
        LOG.info("SQLite store at {} closed", config.path().toAbsolutePath());
    }

    /**
     * Test hook: runs {@code sql} on the writer connection, under the write lock so no batch or probe is half done. As
     * root a test cannot make the file read-only (chmod does not bind root, and a filesystem holding open files refuses
     * to be remounted read-only); {@code PRAGMA query_only = 1} makes SQLite refuse the writer's writes with
     * SQLITE_READONLY as it would for such a file, and {@code = 0} removes the cause.
     */
    void executeOnWriter(String sql) throws SQLException {
        writeLock.lock();
        try (Statement statement = writer.jdbc().createStatement()) {
            statement.execute(sql);
        }
        finally {
            writeLock.unlock();
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "the SQLite store is closed");
        }
    }

    private <T> T read(SqliteReaders.Action<T> action) {
        ensureOpen();
        return readers.read(action);
    }
}
