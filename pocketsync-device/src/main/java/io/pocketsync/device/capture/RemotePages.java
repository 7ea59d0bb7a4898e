package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.model.Change;
import java.util.List;

/**
 * The transaction around a page of remote changes (a LIVE, a catch-up or snapshot page, a table catch-up page): the
 * changes checked to come with their sequences, what is journaled sealed first, and the device clock moved past the
 * page's changes once it is accepted. What the page writes is {@link RemoteApplier}'s. Not thread-safe (the capture is
 * synchronized).
 */
final class RemotePages {
    private final CaptureResources resources;
    private final CaptureSchemas schemas;

    RemotePages(CaptureResources resources, CaptureSchemas schemas) {
        this.resources = requireNonNull(resources, "resources is null");
        this.schemas = requireNonNull(schemas, "schemas is null");
    }

    /**
     * Runs {@code work}, which applies {@code changes}, in one write transaction.
     *
     * @param seal whether to seal the journal first: local writes committed before this transaction are pending changes
     *        before anything applies (an empty LIVE or catch-up page only moves a cursor and writes no row)
     * @throws PocketSyncException {@code INVALID_FIELD} when {@code sequences} is not exactly as long as {@code changes}
     */
    ApplyReport apply(List<Change> changes, List<Long> sequences, boolean seal, Sql.Work<ApplyReport> work) {
        requireNonNull(changes, "changes is null");
        requireNonNull(sequences, "sequences is null");
        if (sequences.size() != changes.size()) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, sequences.size() + " sequences for " + changes.size()
                    + " changes: every remote change needs the server sequence of its row state");
        }
        schemas.refreshSchema(false);
        return resources.inTransaction(() -> {
            if (seal) {
                schemas.sealJournal();
            }
            ApplyReport report = work.run();
            if (report.accepted()) {
                // causality: a local write made after this page was applied orders after every change it held, whatever
                // this device's wall clock says (the journal was sealed above, so the merge moves the stored clock)
                long newest = 0;
                for (Change change : changes) {
                    newest = Math.max(newest, change.hlc().value());
                }
                if (newest > 0) {
                    resources.sealer().mergeClock(newest);
                }
            }
            return report;
        });
    }
}
