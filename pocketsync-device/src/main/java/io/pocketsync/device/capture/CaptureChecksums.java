package io.pocketsync.device.capture;

import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.model.Change;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checksum side of a {@link SqliteTriggerCapture}: scope checksums, row hashes, unsettled rows and repair, each
 * after the journal is sealed where it matters. Not thread-safe: used only under the capture's lock.
 */
final class CaptureChecksums {
    private final CaptureResources resources;
    private final CaptureSchemas schemas;

    CaptureChecksums(CaptureResources resources, CaptureSchemas schemas) {
        this.resources = resources;
        this.schemas = schemas;
    }

    /**
     * The scope's checksums at the cursor. The journal is sealed first, in a write transaction of its own and only when
     * it holds writes; the rows are hashed in a read transaction (seconds for a million rows), which the app's writes do
     * not wait for. A write the app commits in between is in the snapshot unsealed: a new row has no id yet and counts
     * on neither side, an edit or delete of a known row is pending by the time a comparison asks for the unsettled rows
     * (which seals first), and is left out there.
     */
    ScopeChecksums checksums() {
        schemas.refreshSchema(false);
        if (journalHoldsWrites()) {
            resources.inTransaction(() -> {
                schemas.sealJournal();
                return null;
            });
        }
        return resources.inReadTransaction(() -> {
            long cursor = resources.statements().queryLong("SELECT cursor FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1");
            RowChecksums rows = new RowChecksums(resources.statements(), schemas.schemas());
            // a table whose bulk push is under way is not compared (the server lacks rows of it): not summed either
            Set<String> bulk = new HashSet<>(new BulkRecords(resources.statements()).tables());
            List<TableChecksum> tables = new ArrayList<>();
            for (String table : schemas.schemas().keySet()) {
                if (!resources.scopes().isOther(table) && !bulk.contains(table)) {
                    tables.add(rows.table(table));
                }
            }
            return new ScopeChecksums(cursor, tables);
        });
    }

    Map<String, Long> rowHashes(String table, Set<Integer> buckets) {
        return resources.inReadTransaction(
                () -> new RowChecksums(resources.statements(), schemas.schemas()).hashes(table, buckets));
    }

    private boolean journalHoldsWrites() {
        return resources.inReadTransaction(() -> resources.statements().queryLong("SELECT EXISTS (SELECT 1 FROM "
                + SystemTables.JOURNAL + ")") != 0);
    }

    Set<String> unsettledRows(String table) {
        return resources.inTransaction(() -> {
            schemas.sealJournal();
            return new RowChecksums(resources.statements(), schemas.schemas()).unsettled(table);
        });
    }

    int repair(String table, List<Change> rows, List<Long> sequences, Collection<String> unknownToServer,
            long atSequence, boolean write) {
        schemas.refreshSchema(false);
        return resources.inTransaction(() -> {
            schemas.sealJournal();
            Set<String> unsettled = new RowChecksums(resources.statements(), schemas.schemas()).unsettled(table);
            return new ChecksumRepair(resources.statements(), schemas.schemas()).repair(table, rows, sequences,
                    unknownToServer, unsettled, atSequence, write);
        });
    }
}
