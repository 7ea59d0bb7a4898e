package io.pocketsync.device.capture;

import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.BulkPage;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.AppliedRange;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the ACK of a bulk page (docs/architecture.md 4.3a), in the caller's transaction: one write moves the bulk's
 * acknowledged rowid, one records the page's sequence range ({@link BulkRanges}); the rows the ACK names (superseded,
 * rejected, duplicate, merged) are decided by the ordinary ACK logic ({@link AckApplier}), for which each gets a
 * change-log row first. Those rows get negative local sequences, below every sealed change: a bulk row is the table's
 * state at install, older than any pending change of the row, and the push, which reads sequences above 0, never
 * sends them. Stateless.
 */
final class BulkAcks {
    private static final Logger LOG = LoggerFactory.getLogger(BulkAcks.class);

    private BulkAcks() {}

    static ApplyReport acknowledge(StatementCache statements, RemoteApplier applier, Map<String, TableSchema> schemas,
            String deviceId, BulkPage page, List<ChangeResult> results, @Nullable AppliedRange applied, BulkProgress progress)
            throws SQLException {
        Map<String, Change> sent = new HashMap<>();
        for (Change change : page.changes()) {
            sent.put(change.changeId(), change);
        }
        List<ChangeResult> named = new ArrayList<>();
        long from = applied == null ? 0 : applied.from();
        long to = applied == null ? 0 : applied.to();
        int unnamed = page.changes().size();
        for (ChangeResult result : results) {
            if (!sent.containsKey(result.changeId())) {
                continue;
            }
            unnamed--;
            if (applied == null && result.status() == ChangeStatus.APPLIED && result.winner() == null) {
                // a server that answers every row: its simply applied rows make the range all the same
                from = from == 0 ? result.sequence() : Math.min(from, result.sequence());
                to = Math.max(to, result.sequence());
            }
            else {
                named.add(result);
            }
        }
        if (applied != null && unnamed != applied.count()) {
            LOG.warn("the ACK of a bulk page of {} ({} rows) leaves {} rows unnamed but says {} were applied", page.table(),
                    page.changes().size(), unnamed, applied.count());
        }
        if (!named.isEmpty()) {
            queueNamed(statements, named, sent);
        }
        List<RowKey> keys = new ArrayList<>(page.changes().size());
        for (Change change : page.changes()) {
            keys.add(new RowKey(change.table(), change.globalId()));
        }
        ApplyReport report = applier.applyBulkResults(schemas, deviceId, named, page.table(), page.afterRowid() + 1,
                page.throughRowid(), from, to, keys);
        BulkRecords records = new BulkRecords(statements);
        boolean tableDone = records.acknowledged(page.table(), page.throughRowid());
        progress.acknowledged(page.changes().size(), tableDone && !records.any(), records);
        return report;
    }

    /** Puts the named rows in the change log as pending (each an INSERT of the image sent), for the ACK logic to decide. */
    private static void queueNamed(StatementCache statements, List<ChangeResult> named, Map<String, Change> sent)
            throws SQLException {
        long next = Math.min(0, statements.queryLong("SELECT coalesce(min(seq), 0) FROM " + SystemTables.CHANGES)) - 1;
        ValuesBatch insert = new ValuesBatch(statements, "INSERT OR IGNORE INTO " + SystemTables.CHANGES
                + " (seq, change_id, tbl, gid, op, row_json, cols_json, hlc, version)", 9, "");
        for (ChangeResult result : named) {
            Change change = sent.get(result.changeId());
            insert.add(next--, change.changeId(), change.table(), change.globalId(), "INSERT", RowImages.toJson(change.row()), "[]",
                    change.hlc().value(), 0L);
        }
        insert.flush();
    }
}
