package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.BulkPage;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.model.Rows;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.AppliedRange;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.transport.ClientTransport;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes the bulk pages of rows a table held when it was first tracked (protocol.md 3.2a): up to four times
 * {@link DeviceOptions#pushWindow()} pages in flight besides the ordinary PUSHes, each a PUSH with {@code bulk} set,
 * read in rowid order by the capture ({@link ChangeCapture#bulkPage}) and recorded at its ACK
 * ({@link ChangeCapture#acknowledgeBulk}, which tells progress). A timeout, an error naming a page or a reconnect forgets
 * the window, and the pages are read again from what the server acknowledged, with the same change ids.
 *
 * <p>Engine thread only; driven by {@link ChangePusher}.
 */
final class BulkPusher {
    private static final Logger LOG = LoggerFactory.getLogger(BulkPusher.class);

    private record Sent(String batchId, BulkPage page, long deadlineNanos) {}

    private final ChangeCapture capture;
    private final ClientTransport transport;
    private final DeviceOptions options;
    private final StatusBoard status;
    private final Consumer<ApplyReport> applied;
    private final ArrayDeque<Sent> window = new ArrayDeque<>();
    /** The page sent last in this window, which the next one follows; null: start from what is acknowledged. */
    private @Nullable BulkPage last;
    /** No page is left after {@link #last}, until the window is forgotten. */
    private boolean exhausted;
    /** The estimated bytes of a page; halved when the transport refuses one as too large. */
    private long maxBytes;
    private boolean rowByRowTold;

    BulkPusher(ChangeCapture capture, ClientTransport transport, DeviceOptions options, StatusBoard status,
            Consumer<ApplyReport> applied) {
        this.capture = requireNonNull(capture, "capture is null");
        this.transport = requireNonNull(transport, "transport is null");
        this.options = requireNonNull(options, "options is null");
        this.status = requireNonNull(status, "status is null");
        this.applied = requireNonNull(applied, "applied is null");
        this.maxBytes = options.pushMaxBytes();
    }

    /** A new session: the server's limits. */
    void welcomed(long sessionMaxBytes) {
        forget();
        maxBytes = sessionMaxBytes;
    }

    /**
     * Sends bulk pages while the window has room.
     *
     * @param rows the most rows in a page (the server's {@code maxBatch})
     * @param serverRowBytes the largest row the server takes, 0 when not known
     * @return true when no page is left to send and none is in flight
     */
    boolean push(int rows, long serverRowBytes) {
        while (window.size() < windowPages() && !exhausted) {
            BulkPage page = capture.bulkPage(last, rows, maxBytes);
            if (page == null) {
                exhausted = true;
                break;
            }
            int large = firstTooLarge(page, serverRowBytes);
            if (large == 0) {
                if (!window.isEmpty()) {
                    return false; // refused here only in order: the pages before it are acknowledged first
                }
                tooLarge(page.first(1), "the row is " + Rows.rowBytes(page.changes().get(0).row())
                        + " bytes; the server takes rows of at most " + serverRowBytes);
                continue;
            }
            if (large > 0) {
                page = page.first(large);
            }
            if (!send(page)) {
                return false;
            }
        }
        return exhausted && window.isEmpty();
    }

    /**
     * The most pages in flight: four times the push window, because a server stores the pages waiting for it in one batch
     * (one commit for several pages): while it stores those, the next ones are on their way.
     */
    private int windowPages() {
        return 4 * options.pushWindow();
    }

    private boolean send(BulkPage page) {
        String batchId = UUID.randomUUID().toString();
        try {
            if (!transport.send(new Push(ProtocolVersion.CURRENT, batchId, page.changes(), true))) {
                return false;
            }
        }
        catch (PocketSyncException e) {
            if (e.code() != ErrorCode.MESSAGE_TOO_LARGE) {
                throw e;
            }
            if (page.changes().size() > 1) {
                maxBytes = Math.max(1, maxBytes / 2);
                LOG.warn("a bulk page of {} rows was too large for the transport ({}); pages now hold at most about {} bytes",
                        page.changes().size(), e.getMessage(), maxBytes);
                return true;
            }
            if (window.isEmpty()) {
                tooLarge(page, "the transport refused it: " + e.getMessage());
                return true;
            }
            return false;
        }
        window.addLast(new Sent(batchId, page, SyncLoop.deadline(options)));
        last = page;
        status.pushing(page.changes().size(), capture);
        return true;
    }

    /** Whether {@code batchId} is a bulk page in flight. */
    boolean owns(String batchId) {
        return window.stream().anyMatch(sent -> sent.batchId().equals(batchId));
    }

    /** Records the ACK of a page in flight (see {@link #owns}). */
    void acknowledged(Ack ack) {
        Sent head = window.peekFirst();
        if (head == null || !head.batchId().equals(ack.batchId())) {
            LOG.warn("ACK of bulk page {} out of order; sending the pages again from what is acknowledged", ack.batchId());
            forget();
            return;
        }
        window.removeFirst();
        if (ack.applied() == null && !rowByRowTold) {
            rowByRowTold = true;
            LOG.info("the server answers bulk pages row by row (a server before compact bulk ACKs): the pages are recorded"
                    + " from the per-row results, which costs the device more; upgrade the server for the compact ACK");
        }
        ApplyReport report = capture.acknowledgeBulk(head.page(), ack.results(), ack.applied());
        ChangePusher.reportRejected(status, ack.results());
        applied.accept(report);
    }

    /** The oldest page whose ACK is overdue, or null. */
    PushWindow.@Nullable Batch overdue(long nowNanos) {
        Sent oldest = window.peekFirst();
        return oldest != null && nowNanos - oldest.deadlineNanos() > 0
                ? new PushWindow.Batch(oldest.batchId(), oldest.page().changes().size(), 0, oldest.deadlineNanos()) : null;
    }

    /** Forgets the pages in flight: they are read again from what the server acknowledged. */
    void forget() {
        window.clear();
        last = null;
        exhausted = false;
    }

    /** A row no PUSH can carry: rejected here, as {@link ChangePusher} rejects such a change, and the pages go on. */
    private void tooLarge(BulkPage page, String why) {
        String changeId = page.changes().get(0).changeId();
        String message = "row " + changeId + " of " + page.table() + " cannot be sent: " + why;
        LOG.warn("{}: {}; rejected here so that later rows go on", ErrorCode.ROW_TOO_LARGE, message);
        ApplyReport report = capture.acknowledgeBulk(page, List.of(ChangeResult.rejected(changeId, ErrorCode.ROW_TOO_LARGE, message)),
                AppliedRange.NONE);
        status.error(ErrorCode.ROW_TOO_LARGE, message);
        applied.accept(report);
        last = null;
    }

    /** The index of the first change whose row is over the server's limit, -1 when none is. */
    private static int firstTooLarge(BulkPage page, long serverRowBytes) {
        if (serverRowBytes <= 0) {
            return -1;
        }
        for (int i = 0; i < page.changes().size(); i++) {
            java.util.Map<String, ?> row = page.changes().get(i).row();
            if (atMostBytes(row) > serverRowBytes && Rows.rowBytes(row) > serverRowBytes) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A bound on {@link Rows#rowBytes} in one step per column (a UTF-16 character is at most 3 bytes of UTF-8), so that
     * only rows near the limit are measured exactly: counting every character of every row cost the engine 8%.
     */
    private static long atMostBytes(java.util.Map<String, ?> row) {
        long size = 0;
        for (java.util.Map.Entry<String, ?> entry : row.entrySet()) {
            size += 3L * entry.getKey().length();
            Object value = entry.getValue();
            size += value instanceof String text ? 3L * text.length() : value instanceof byte[] blob ? blob.length : 8;
        }
        return size;
    }
}
