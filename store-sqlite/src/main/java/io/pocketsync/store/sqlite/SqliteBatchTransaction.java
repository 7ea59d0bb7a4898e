package io.pocketsync.store.sqlite;

import io.pocketsync.api.checksum.ChecksumDelta;
import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.IncomingHashes;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.api.store.RowKey;
import io.pocketsync.server.engine.store.StoreJson;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One batch's write transaction on the store's writer connection: reads what the batch needs, resolves it and
 * writes rows, ids, claims, marks, checksums, audit entries and the scope's head. The caller holds the write lock.
 */
final class SqliteBatchTransaction {
    // logged under the store's name, as before this was split out of it
    private static final Logger LOG = LoggerFactory.getLogger(SqliteServerStore.class);

    private final SqliteConnection writer;
    private final Clock clock;
    private final boolean keepChecksums;

    SqliteBatchTransaction(SqliteConnection writer, Clock clock, boolean keepChecksums) {
        this.writer = writer;
        this.clock = clock;
        this.keepChecksums = keepChecksums;
    }

    /**
     * A committed batch: its plan and the outcome {@code apply} returns, built once (the device marks are raised from
     * it inside the transaction).
     */
    record Committed(BatchPlan plan, BatchOutcome outcome) {}

    /**
     * One transaction of a batch; {@code optimistic}: see {@link SqliteBatchWrites}. A failure leaves no transaction
     * open and the writer usable again ({@link SqliteConnection#recover}).
     */
    Committed transaction(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers,
            boolean optimistic) throws SQLException {
        // hashed on another core while this one reads, plans and writes the batch
        Supplier<IncomingHashes> hashes = keepChecksums ? IncomingHashes.ahead(changes)
                : IncomingHashes::none;
        try {
            writer.execute("BEGIN IMMEDIATE");
            Committed committed = applyInTransaction(scope, changes, resolvers, optimistic, hashes);
            writer.execute("COMMIT");
            return committed;
        }
        catch (SQLException e) {
            if (SqliteBatchWrites.isOptimisticConflict(e)) {
                // INSERT OR ROLLBACK has rolled back already, and a constraint error leaves the statements usable
                writer.rollback();
            }
            else {
                recover(writer);
            }
            throw e;
        }
        catch (RuntimeException e) {
            recover(writer);
            throw e;
        }
    }

    private Committed applyInTransaction(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers,
            boolean optimistic, Supplier<IncomingHashes> hashes) throws SQLException {
        long head = 0;
        long auditSequence = 0;
        SqliteBatchReads.IdsPruned pruned = SqliteBatchReads.IdsPruned.NEVER;
        PreparedStatement selectScope = writer.prepared(
                "SELECT head, audit_seq, ids_pruned_head, ids_pruned_before FROM ps_scopes WHERE scope = ?");
        selectScope.setString(1, scope.name());
        try (ResultSet rs = selectScope.executeQuery()) {
            if (rs.next()) {
                head = rs.getLong(1);
                auditSequence = rs.getLong(2);
                pruned = new SqliteBatchReads.IdsPruned(rs.getLong(3), rs.getLong(4));
            }
        }
        long now = clock.millis();
        // A read: ids are written only when no row holds them (SqliteProcessedIds), after the plan.
        Set<String> processedBefore = SqliteProcessedIds.find(writer, scope, SqliteProcessedIds.ids(changes));
        boolean allNew = optimistic && BatchPlan.createsOnlyNewRows(changes);
        SqliteBatchReads.StoredRows stored = allNew ? SqliteBatchReads.StoredRows.NONE
                : SqliteBatchReads.loadRows(writer, SqliteBatchWrites.ROW_COLUMNS, scope, changes, pruned);
        Set<String> held = stored.heldIds();
        BatchPlan plan;
        try {
            plan = BatchPlan.resolve(changes, resolvers,
                    SqliteUniqueClaims.rows(changes, stored.rows(),
                            key -> SqliteRowReads.row(writer, scope, key.table(), key.globalId()).orElse(null)),
                    id -> processedBefore.contains(id) || held.contains(id), head, SqliteUniqueClaims.holders(writer, scope));
        }
        catch (SqliteUniqueClaims.Failure e) {
            throw e.sql();
        }
        BatchOutcome outcome = plan.outcome(0);
        if (plan.writesNothing()) {
            return new Committed(plan, outcome);
        }
        SqliteUniqueClaims.write(writer, scope, plan.claimWrites());
        SqliteProcessedIds.record(writer, scope, SqliteProcessedIds.toRecord(plan, stored.rows(), held), now);
        SqliteBatchWrites.writeRows(writer, scope, plan.rows().values(), now, allNew);
        SqliteDeviceMarks.raise(writer, scope, changes, outcome);
        if (keepChecksums) {
            SqliteChecksums.apply(writer, scope, ChecksumDelta.of(plan, hashes.get(), ChecksumLevel.FINE));
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
        return new Committed(plan, outcome);
    }

    /**
     * Rolls back the writer's open transaction and drops its statements, so the next batch starts clean (see
     * {@link SqliteConnection#recover}); a failed rollback is logged, not thrown: the next BEGIN finds out.
     */
    static void recover(SqliteConnection writer) {
        String failed = writer.recover();
        if (failed != null) {
            LOG.warn("rollback after a failed write failed too ({}); the next batch tries again", failed);
        }
    }
}
