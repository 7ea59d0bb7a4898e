package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.BulkPage;
import io.pocketsync.api.protocol.AppliedRange;
import io.pocketsync.api.protocol.ChangeResult;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The capture's side of a bulk push (docs/architecture.md 4.3a): the next page read from a table's rows, the transaction
 * around a page's ACK, and the rows still to be acknowledged, which count as pending. What a page holds is
 * {@link BulkPages}'s, what its ACK writes {@link BulkAcks}'s. Not thread-safe (the capture is synchronized).
 */
final class BulkCapture {
    private final CaptureResources resources;
    private final CaptureSchemas schemas;
    private final BulkProgress progress;

    BulkCapture(CaptureResources resources, CaptureSchemas schemas, Duration progressInterval) {
        this.resources = requireNonNull(resources, "resources is null");
        this.schemas = requireNonNull(schemas, "schemas is null");
        this.progress = new BulkProgress(progressInterval);
    }

    /** The page after {@code after} (null: the first not acknowledged), or null when no bulk push is left. */
    @Nullable BulkPage page(@Nullable BulkPage after, int rows, long maxBytes) {
        return resources.inTransaction(() -> BulkPages.next(resources.statements(), records(), schemas.schemas(),
                resources.deviceId(), after, rows, maxBytes));
    }

    /** Records the server's answer to {@code page} in one write transaction. */
    ApplyReport acknowledge(BulkPage page, List<ChangeResult> results, @Nullable AppliedRange applied) {
        requireNonNull(page, "page is null");
        requireNonNull(results, "results is null");
        schemas.refreshSchema(false);
        return resources.inTransaction(() -> {
            if (!results.isEmpty() || resources.applier().hasDeferred()) {
                schemas.sealJournal(); // a winner or a deferred change may write an app row: local writes are changes first
            }
            return BulkAcks.acknowledge(resources.statements(), resources.applier(), schemas.schemas(), resources.deviceId(),
                    page, results, applied, progress);
        });
    }

    /** The rows of bulk pushes not acknowledged yet: counted, or, with {@code estimate}, spread over their rowids. */
    long remaining(boolean estimate) {
        return records().rows(estimate);
    }

    /** The tables of the active scope with a bulk push under way. */
    List<String> tables() {
        try {
            return records().tables();
        }
        catch (SQLException e) {
            throw Sql.failure("reading the bulk pushes failed", e);
        }
    }

    private BulkRecords records() {
        return new BulkRecords(resources.statements());
    }
}
