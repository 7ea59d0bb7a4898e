package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.capture.ParkedChange;
import io.pocketsync.api.model.Change;
import java.sql.SQLException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parks remote changes the device cannot apply in {@code __pocketsync_dead_letter}, with their code, instead of
 * retrying them forever or dropping them silently. Not thread-safe (the capture is synchronized).
 */
final class DeadLetterWriter {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterWriter.class);

    private final StatementCache statements;
    private final Clock clock;

    DeadLetterWriter(StatementCache statements, Clock clock) {
        this.statements = requireNonNull(statements, "statements is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Parks {@code change}, which a validation or a local constraint refused. */
    ParkedChange park(Change change, RowWriter.Refused refused) throws SQLException {
        LOG.warn("parked remote change {} for table {}: {} {}", RowWriter.shorten(change.changeId()),
                RowWriter.shorten(change.table()), refused.code, refused.getMessage());
        statements.update("INSERT INTO " + SystemTables.DEAD_LETTER
                + " (change_id, tbl, gid, op, row_json, code, message, received_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                change.changeId(), change.table(), change.globalId(), change.op().name(), RowImages.toJson(change.row()),
                refused.code.name(), refused.getMessage(), clock.millis());
        return new ParkedChange(change.changeId(), change.table(), refused.code, refused.getMessage());
    }
}
