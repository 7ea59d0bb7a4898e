package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.PocketSyncException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals the journal as far as the push needs it ({@link SqliteTriggerCapture#pending}), and journals the existing rows
 * of newly tracked tables for it to seal. Not thread-safe (the capture is synchronized).
 *
 * <p>A push seals in rounds, each its own transaction, until one PUSH's worth is pending, so a bulk write starts
 * pushing after its first round, and the server stores one PUSH while the next rounds are sealed. A journal of at
 * least {@link InstallSealing#ROUND} rows (a bulk write, or the existing rows of a table just installed) is sealed in
 * rounds of that size with a larger page cache ({@link InstallSealing}); a smaller one in rounds of
 * {@value #SEAL_ROUND}. A push that starts from the first pending change (nothing of it in flight) seals in the small
 * rounds whatever the journal holds, so that the first PUSH leaves after one of them: a bulk round of 10,000 rows kept the
 * server and the receiving devices idle for its whole length (a fifth of the MQTT benchmark's round of 10,000 changes)
 * before the first of them went out. The bulk rounds follow while that PUSH travels.
 */
final class PushSealing {
    private static final Logger LOG = LoggerFactory.getLogger(PushSealing.class);
    /** Journal rows sealed per transaction for a push, at least, while the journal is small. */
    private static final int SEAL_ROUND = 1_000;

    private final CaptureResources resources;
    private final CaptureSchemas schemas;
    /** Progress of sealing the rows the last install journaled, while they are sealed; null otherwise. */
    private @Nullable InstallSealing installed;

    PushSealing(CaptureResources resources, CaptureSchemas schemas) {
        this.resources = requireNonNull(resources, "resources is null");
        this.schemas = requireNonNull(schemas, "schemas is null");
    }

    /** Whether rows an install of this capture journaled are still being sealed by the push. */
    boolean bulkUnderway() {
        try {
            return installed != null && !installed.finished(resources.statements());
        }
        catch (SQLException e) {
            throw Sql.failure("reading the capture journal failed", e);
        }
    }

    /**
     * Journals the rows of {@code tables} that have no id yet (all of them on a first install); call once the triggers
     * exist. A few are sealed at once; a bulk of them (at least {@link InstallSealing#ROUND}) is left to the push. Parents
     * first: a parent is sealed (and has its id) no later than its children, whose references are translated to that id.
     */
    void journalExistingRows(List<String> tables) {
        Connection c = resources.connection();
        List<TableSchema> current = new ArrayList<>();
        for (String table : tables) {
            current.add(schemas.schemas().get(table));
        }
        for (TableSchema schema : TableInstaller.parentsFirst(current)) {
            startBulk(schema);
        }
        long journaled = resources.inTransaction(() -> {
            long rows = 0;
            for (TableSchema schema : TableInstaller.parentsFirst(current)) {
                rows += TableInstaller.journalExisting(c, schema);
            }
            return rows;
        });
        if (journaled == 0) {
            return;
        }
        try {
            if (InstallSealing.bulk(resources.statements())) {
                installed = new InstallSealing(journaled, InstallSealing.lastJournalId(resources.statements()),
                        resources.options().progressInterval());
            }
            else {
                InstallSealing.sealAll(c, resources.statements(), resources.options().progressInterval(),
                        () -> resources.sealer().sealRound(schemas.schemas(), schemas.layouts(), InstallSealing.ROUND));
            }
        }
        catch (SQLException e) {
            throw Sql.failure("sealing the existing rows failed", e);
        }
    }

    /**
     * Takes a table with many rows and no ids onto the bulk path ({@link BulkInstall}), in a transaction of its own; a
     * table whose ids turn out not unique (the index build refuses them) is rolled back to the journal path.
     */
    private void startBulk(TableSchema schema) {
        Connection c = resources.connection();
        StatementCache statements = resources.statements();
        BulkInstall.Plan plan = resources.inTransaction(() -> BulkInstall.begin(c, statements, schema, resources.deviceId(),
                resources.clock()));
        if (plan == null) {
            return;
        }
        try {
            long longest = InstallSealing.withLargeCache(c, () -> assignIds(plan));
            resources.inTransaction(() -> {
                BulkInstall.finish(c, plan, longest);
                return null;
            });
        }
        catch (SQLException e) {
            throw Sql.failure("giving the existing rows of " + schema.name() + " their ids failed", e);
        }
        catch (PocketSyncException e) {
            // only the index build can find ids not unique (a row of the table held one before: the round asked it)
            if (plan.askTable() || !(e.getCause() instanceof SQLException cause)
                    || !String.valueOf(cause.getMessage()).contains("UNIQUE")) {
                throw e;
            }
            LOG.warn("tracking table {}: the ids of its existing rows are not unique ({}); they are queued as changes one by one"
                    + " instead of in bulk", schema.name(), cause.getMessage());
            resources.inTransaction(() -> {
                BulkInstall.abandon(c, resources.statements(), plan);
                return null;
            });
        }
    }

    /** Runs the plan's rounds, each its own transaction; returns the longest round in milliseconds. */
    private long assignIds(BulkInstall.Plan plan) {
        NaturalIds ids = new NaturalIds();
        long longest = 0;
        while (true) {
            long start = System.nanoTime();
            int given = resources.inTransaction(() -> BulkInstall.round(resources.connection(), resources.statements(), plan,
                    schemas.schemas(), resources.deviceId(), resources.clock(), ids));
            longest = Math.max(longest, (System.nanoTime() - start) / 1_000_000);
            if (given == 0) {
                return longest;
            }
        }
    }

    /**
     * Seals journal rows in rounds, each its own transaction, until {@code limit} changes after
     * {@code afterLocalSequence} are pending or the journal is empty.
     */
    void sealFor(long afterLocalSequence, int limit) {
        JournalSealer sealer = resources.sealer();
        try {
            if (sealer.hasWork() && pendingAfter(afterLocalSequence, limit) < limit) {
                // nothing in flight: the push waits for these rounds alone, so one PUSH's worth, the bulk rounds after it
                if (afterLocalSequence != 0 && InstallSealing.bulk(resources.statements())) {
                    bulkRounds(sealer, afterLocalSequence, limit);
                }
                else {
                    do {
                        resources.inTransaction(() -> sealer.sealRound(schemas.schemas(), schemas.layouts(),
                                Math.max(limit, SEAL_ROUND)));
                    }
                    while (sealer.hasWork() && pendingAfter(afterLocalSequence, limit) < limit);
                }
            }
            // also when something else sealed the last of them (a count, a page)
            if (installed != null && installed.finished(resources.statements())) {
                installed.done();
                installed = null;
            }
        }
        catch (SQLException e) {
            throw Sql.failure("reading the capture journal failed", e);
        }
    }

    /** Rounds of {@link InstallSealing#ROUND} with a larger page cache, telling an install's progress. */
    private void bulkRounds(JournalSealer sealer, long afterLocalSequence, int limit) throws SQLException {
        InstallSealing.withLargeCache(resources.connection(), () -> {
            do {
                resources.inTransaction(() -> sealer.sealRound(schemas.schemas(), schemas.layouts(), InstallSealing.ROUND));
                if (installed != null) {
                    installed.sealed(resources.statements());
                }
            }
            while (sealer.hasWork() && pendingAfter(afterLocalSequence, limit) < limit);
            return null;
        });
    }

    /** How many pending changes follow local sequence {@code after}, counting up to {@code limit}. */
    private long pendingAfter(long after, int limit) throws SQLException {
        return resources.statements().queryLong("SELECT count(*) FROM (SELECT 1 FROM " + SystemTables.CHANGES
                + " WHERE state = 'pending' AND seq > ? AND " + ScopeStates.NOT_OTHERS + " LIMIT ?)", after, (long) limit);
    }
}
