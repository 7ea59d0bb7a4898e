package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queues a change the server refused {@code CLOCK_SKEW} again instead of giving it up.
 *
 * <p>The server refuses a change stamped further ahead of its clock than its skew bound. After {@link ClockCorrection}
 * that happens only when the device's clock jumped forward after its last WELCOME measured the offset. Left rejected,
 * the write would never reach anyone, so the change goes back to {@code pending}. The device engine then measures the
 * offset again from the ACK's server time, {@link ClockCorrection} restamps every pending change by it, and
 * {@link ClockCorrection#restampAhead} brings any stamp still after the server's time down to it, this one included,
 * before it is sent again.
 *
 * <p>It is sent under a new change id: the server records the refused id, and would answer the same id
 * {@code DUPLICATE} without storing it. Only the last eight hex digits (random at sealing) are drawn again, so the id
 * keeps its device and stamp prefix. A change is queued again at most {@value #MAX_REQUEUES} times; a clock that
 * still runs beyond the bound after that (a server that sends no time, a clock that jumps at every write) leaves it
 * rejected, reported as a status error like any rejection.
 */
final class SkewedChanges {
    private static final Logger LOG = LoggerFactory.getLogger(SkewedChanges.class);
    /** How often one change is sent again after a {@code CLOCK_SKEW} refusal. */
    static final int MAX_REQUEUES = 3;
    private static final String MARK = "CLOCK_SKEW requeued ";

    private final StatementCache statements;

    SkewedChanges(StatementCache statements) {
        this.statements = requireNonNull(statements, "statements is null");
    }

    /**
     * Queues the change at local sequence {@code seq} again when {@code result} refused it for its clock.
     *
     * @return true when the change is pending again; false when {@code result} is another verdict or the change was
     *         queued again too often (then it is marked like any rejection)
     */
    boolean requeue(ChangeResult result, long seq) throws SQLException {
        if (result.status() != ChangeStatus.REJECTED || result.errorCode() != ErrorCode.CLOCK_SKEW) {
            return false;
        }
        String reason = statements.queryString("SELECT reason FROM " + SystemTables.CHANGES + " WHERE seq = ?", seq);
        int times = reason != null && reason.startsWith(MARK) ? Integer.parseInt(reason.substring(MARK.length())) : 0;
        if (times >= MAX_REQUEUES) {
            LOG.warn("change {} refused CLOCK_SKEW again after {} restamps; left rejected: {}", result.changeId(), times,
                    result.message());
            return false;
        }
        statements.update("UPDATE " + SystemTables.CHANGES + " SET state = 'pending', reason = ?,"
                + " change_id = substr(change_id, 1, length(change_id) - 8) || lower(printf('%08X', random() & 4294967295))"
                + " WHERE seq = ?", MARK + (times + 1), seq);
        LOG.info("change {} refused CLOCK_SKEW ({}); queued again to be restamped with the server's time",
                result.changeId(), result.message());
        return true;
    }
}
