package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.TableCatchUp;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.transport.ClientTransport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls the table catch-up in progress (docs/protocol.md 3.8, "Tracking another table later"): tables the device started
 * tracking after it had synced arrive in pages of their own, {@code PULL {cursor, tables, self}} from their own cursor
 * ({@link ChangeCapture#tableCatchUp()}) until a page has {@code more=false}, each applied with
 * {@link ChangeCapture#applyTables}; the PULL of the next page goes out before a page that fits is written (one ahead). The main cursor's LIVE and catch-up ({@link RemoteChangeReceiver}) go on meanwhile.
 * A page that does not fit the stored state (an older request's, a reconnect's) is ignored and the device pulls from
 * the stored cursor again, as after any gap. A PULL unanswered for {@link DeviceOptions#pushTimeout()} is sent again.
 *
 * <p>Engine thread only.
 */
final class TableCatchUpReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(TableCatchUpReceiver.class);

    private final ChangeCapture capture;
    private final ClientTransport transport;
    private final DeviceOptions options;
    private final StatusBoard status;
    private final Consumer<ApplyReport> applied;

    private boolean outstanding;
    private long deadlineNanos;
    private long rowsDone;

    /** @param applied told what a page wrote locally, to fire watchers and report parked changes */
    TableCatchUpReceiver(ChangeCapture capture, ClientTransport transport, DeviceOptions options, StatusBoard status,
            Consumer<ApplyReport> applied) {
        this.capture = requireNonNull(capture, "capture is null");
        this.transport = requireNonNull(transport, "transport is null");
        this.options = requireNonNull(options, "options is null");
        this.status = requireNonNull(status, "status is null");
        this.applied = requireNonNull(applied, "applied is null");
    }

    /** A new session, or the connection is gone: what was asked will not be answered. */
    void sessionChanged() {
        outstanding = false;
    }

    /** Gives up an unanswered PULL after the push timeout; true when it did (a new one is wanted). */
    boolean overdue(long nowNanos) {
        if (!outstanding || nowNanos - deadlineNanos <= 0) {
            return false;
        }
        LOG.info("no answer to the table catch-up's PULL within {}; pulling again", options.pushTimeout());
        outstanding = false;
        return true;
    }

    /** Sends the next PULL of the table catch-up in progress, if there is one and none is outstanding. */
    void pullIfWanted() {
        if (outstanding) {
            return;
        }
        TableCatchUp catchUp = capture.tableCatchUp();
        if (catchUp == null) {
            return;
        }
        pull(catchUp.cursor(), catchUp.tables());
    }

    private void pull(long cursor, java.util.List<String> tables) {
        // self: the device never held these tables, so its own rows of them come too
        if (transport.send(new Pull(ProtocolVersion.CURRENT, cursor, options.pullLimit(), 0, true, null, tables))) {
            outstanding = true;
            deadlineNanos = SyncLoop.deadline(options);
        }
    }

    /** Whether {@code page} continues the stored table catch-up (so the page after it will too, once it is applied). */
    private boolean fits(Changes page) {
        TableCatchUp catchUp = capture.tableCatchUp();
        return catchUp != null && new java.util.TreeSet<>(catchUp.tables()).equals(new java.util.TreeSet<>(page.tables()))
                && (page.fromCursor() == catchUp.cursor() || page.fromCursor() == 0);
    }

    /**
     * Applies a page of a table catch-up ({@link Changes#tables()} not null) when it fits the stored state; the PULL of
     * the page after it goes out before this one is written, when it fits.
     */
    void received(Changes page) {
        outstanding = false;
        if (!page.changes().isEmpty() && page.sequences().isEmpty()) {
            LOG.warn("table catch-up page from cursor {} without seqs ignored", page.fromCursor());
            status.error(ErrorCode.INVALID_FIELD, "table catch-up CHANGES without seqs ignored");
            return;
        }
        if (page.hasMore() && fits(page)) {
            // the next page is read and carried while this one is written, as for the main catch-up (protocol.md 3.5)
            pull(page.cursor(), page.tables());
        }
        ApplyReport report = capture.applyTables(page.tables(), page.changes(), page.sequences(), page.fromCursor(),
                page.cursor(), !page.hasMore());
        if (!report.accepted()) {
            LOG.debug("table catch-up page {} from {} does not fit the stored state; pulling from it", page.tables(),
                    page.fromCursor());
            outstanding = false; // a page asked for after it will not fit either
            return;
        }
        applied.accept(report);
        rowsDone += page.changes().size();
        if (!page.hasMore()) {
            LOG.info("table catch-up of {} received ({} rows in this session)", page.tables(), rowsDone);
            rowsDone = 0;
        }
    }
}
