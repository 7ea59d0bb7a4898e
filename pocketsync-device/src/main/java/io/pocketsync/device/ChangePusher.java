package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Rows;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.api.transport.ClientTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes pending local changes in local order (protocol.md 3.2): up to {@link DeviceOptions#pushWindow()}
 * PUSHes in flight ({@link PushWindow}), each cut at the batch size and the estimated byte budget, all sent again
 * with the same change ids after a timeout, an error or a reconnect; records the ACKs. A change is acked only when
 * an ACK names it.
 *
 * <p>Engine thread only.
 */
final class ChangePusher {
    private static final Logger LOG = LoggerFactory.getLogger(ChangePusher.class);

    private final ChangeCapture capture;
    private final ClientTransport transport;
    private final DeviceOptions options;
    private final EngineThread engine;
    private final StatusBoard status;
    private final Consumer<ApplyReport> applied;
    private final PushWindow inflight;
    /** The bulk pages of tables that held rows when they were first tracked, in a window of their own. */
    private final BulkPusher bulk;
    /**
     * False once a read of the pending changes found nothing beyond what is in flight, until something may have
     * added one: then {@link #push()} spares the engine the read (with its seal) after every ACK and every
     * applied CHANGES. Only a seal of what the triggers journaled adds pending changes, and the journal grows only
     * by commits of other connections, which the {@link LocalChangeWatcher} sees as a new data version; a change an
     * ACK does not name stays pending; a forgotten window sends everything again.
     */
    private boolean mayHavePending = true;
    private int maxBatch;
    /** The estimated bytes one PUSH may hold (see {@link DeviceOptions#pushMaxBytes()}); halved by a refusal. */
    private long maxBatchBytes;
    /** The largest row the server takes (its WELCOME {@code maxRow}, exact {@link Rows#rowBytes}), 0 when not known. */
    private long serverRowBytes;
    /** The largest message the server takes in one frame (its WELCOME), 0 when not known. */
    private long serverMessageBytes;
    /** Whether the server rebuilds messages from fragments (its WELCOME {@code maxAssembled}). */
    private boolean serverAssembles;
    private int retryAttempt;
    private @Nullable ScheduledFuture<?> retry;

    /**
     * @param applied told what an ACK wrote locally (winners), to fire watchers and report parked changes
     */
    ChangePusher(ChangeCapture capture, ClientTransport transport, DeviceOptions options, EngineThread engine, StatusBoard status,
            Consumer<ApplyReport> applied) {
        this.capture = requireNonNull(capture, "capture is null");
        this.transport = requireNonNull(transport, "transport is null");
        this.options = requireNonNull(options, "options is null");
        this.engine = requireNonNull(engine, "engine is null");
        this.status = requireNonNull(status, "status is null");
        this.applied = requireNonNull(applied, "applied is null");
        this.inflight = new PushWindow(options.pushWindow());
        this.bulk = new BulkPusher(capture, transport, options, status, applied);
        this.maxBatch = options.pushBatchSize();
        this.maxBatchBytes = options.pushMaxBytes();
    }

    /** A new session: nothing is in flight, and the server's limits cap the batches. */
    void welcomed(Welcome welcome) {
        forget();
        retryAttempt = 0;
        maxBatch = welcome.maxBatchChanges() > 0 ? Math.min(options.pushBatchSize(), welcome.maxBatchChanges())
                : options.pushBatchSize();
        maxBatchBytes = welcome.maxMessageBytes() > 0 ? Math.min(options.pushMaxBytes(), welcome.maxMessageBytes())
                : options.pushMaxBytes();
        serverRowBytes = welcome.maxRowBytes();
        serverMessageBytes = Math.max(0, welcome.maxMessageBytes());
        serverAssembles = welcome.maxAssembledBytes() > 0;
        bulk.welcomed(maxBatchBytes);
    }

    /** Something may have added pending changes (a local commit, or a backstop look at the change log). */
    void lookAgain() {
        mayHavePending = true;
    }

    /** Forgets the PUSHes in flight: every pending change is sent again, from the start. */
    void forget() {
        inflight.clear();
        bulk.forget();
        mayHavePending = true;
    }

    /** The oldest PUSH (or bulk page) whose ACK is overdue, or null. */
    PushWindow.@Nullable Batch overdue(long nowNanos) {
        PushWindow.Batch overdue = inflight.overdue(nowNanos);
        return overdue != null ? overdue : bulk.overdue(nowNanos);
    }

    /**
     * Sends PUSHes while the window has room, no retry is waiting, and pending changes may go (see
     * {@link PushWindow}).
     *
     * @return true when nothing is pending and nothing is in flight
     */
    boolean push() {
        if (retry != null && !retry.isDone()) {
            return false;
        }
        // the app's own writes first (few, and later than every bulk row), then the pages of the bulk path
        boolean changes = pushChanges();
        return bulk.push(maxBatch, serverRowBytes) && changes;
    }

    private boolean pushChanges() {
        if (!inflight.hasRoom()) {
            return false;
        }
        capture.refreshSchema(); // cheap unless the schema changed; completes images captured by old triggers
        while (inflight.hasRoom()) {
            if (!mayHavePending) {
                return inflight.isEmpty();
            }
            List<LocalChange> pending = capture.pending(inflight.sentThrough(), maxBatch);
            if (pending.isEmpty()) {
                mayHavePending = false;
                return inflight.isEmpty();
            }
            List<LocalChange> batch = withinBytes(inflight.sendable(pending), maxBatchBytes);
            if (batch.isEmpty()) {
                return false; // the next change's row is in flight: wait for that ACK
            }
            long rowBytes = serverRowBytes > 0 ? Rows.rowBytes(batch.get(0).change().row()) : 0;
            if (rowBytes > serverRowBytes) {
                // exact on both sides: the server would refuse it with ROW_TOO_LARGE at every attempt
                tooLarge(batch.get(0), "the row is " + rowBytes + " bytes; the server takes rows of at most " + serverRowBytes);
                continue;
            }
            if (!serverAssembles && batch.size() == 1 && serverMessageBytes > 0 && estimatedBytes(batch.get(0)) > serverMessageBytes) {
                // a server that takes no fragments (older, or a transport without them): one message is all there is
                tooLarge(batch.get(0), "it is about " + estimatedBytes(batch.get(0)) + " bytes; the server takes messages of at most "
                        + serverMessageBytes + " and no fragments");
                continue;
            }
            List<Change> changes = new ArrayList<>(batch.size());
            for (LocalChange change : batch) {
                changes.add(change.change());
            }
            String batchId = UUID.randomUUID().toString();
            try {
                if (!transport.send(new Push(ProtocolVersion.CURRENT, batchId, changes))) {
                    return false;
                }
            }
            catch (PocketSyncException e) {
                if (e.code() != ErrorCode.MESSAGE_TOO_LARGE) {
                    throw e;
                }
                if (batch.size() == 1) {
                    tooLarge(batch.get(0), "the transport refused it: " + e.getMessage());
                    continue;
                }
                // The estimate let through more than the transport takes (rows of many small numbers, a lower
                // transport limit): send smaller batches from now on, until the next WELCOME.
                maxBatchBytes = Math.max(1, estimatedBytes(batch) / 2);
                LOG.warn("a PUSH of {} changes was too large for the transport ({}); batches now hold at most about {} bytes",
                        batch.size(), e.getMessage(), maxBatchBytes);
                continue;
            }
            inflight.add(batchId, batch, System.nanoTime() + options.pushTimeout().toNanos());
            if (batch.size() == pending.size() && pending.size() < maxBatch) {
                mayHavePending = false; // everything pending is in flight now
            }
            status.pushing(changes.size(), capture);
        }
        return false;
    }

    /**
     * Records an ACK.
     *
     * @return false when its batch is not in flight (a late ACK of a batch sent again after a timeout, or a
     *         second ACK of one batch from several server nodes on MQTT): a batch sent since carries the same
     *         changes and its ACK decides them
     */
    boolean acknowledged(Ack ack) {
        if (bulk.owns(ack.batchId())) {
            retryAttempt = 0;
            bulk.acknowledged(ack);
            return true;
        }
        PushWindow.Batch acked = inflight.remove(ack.batchId());
        if (acked == null) {
            LOG.debug("ACK of batch {} not in flight; ignored", ack.batchId());
            return false;
        }
        ApplyReport report = capture.acknowledge(ack.results());
        if (ack.results().size() != acked.size()) {
            mayHavePending = true; // a change the ACK did not name is still pending: send it again
        }
        retryAttempt = 0;
        reportRejected(status, ack.results());
        applied.accept(report);
        return true;
    }

    /** Tells the status listeners of each change an ACK rejected. */
    static void reportRejected(StatusBoard status, List<ChangeResult> results) {
        for (ChangeResult result : results) {
            if (result.status() == ChangeStatus.REJECTED) {
                String reverted = result.errorCode() != ErrorCode.SCOPE_READ_ONLY ? ""
                        : result.winner() == null ? "; the row was removed here (the server has none)"
                        : "; the row was put back to the server's state";
                status.error(requireNonNull(result.errorCode(), "errorCode is null"),
                        "change " + result.changeId() + " rejected: " + result.message() + reverted);
            }
        }
    }

    /**
     * Rejects, on this device, a change no PUSH can carry: sent, it would be refused again at every attempt and hold up
     * every change after it. It is marked rejected with {@code ROW_TOO_LARGE} and reported, and the queue moves on;
     * the row stays as it is locally (a later, smaller write of it syncs as usual).
     */
    private void tooLarge(LocalChange change, String why) {
        String message = "change " + change.change().changeId() + " of " + change.change().table() + " cannot be sent: " + why;
        LOG.warn("{}: {}; rejected here so that later changes go on", ErrorCode.ROW_TOO_LARGE, message);
        ApplyReport report = capture.acknowledge(List.of(ChangeResult.rejected(change.change().changeId(), ErrorCode.ROW_TOO_LARGE,
                message)));
        status.error(ErrorCode.ROW_TOO_LARGE, message);
        applied.accept(report);
    }

    /**
     * The server refused a message with {@code error}. When it names a batch in flight, the batches after it may
     * or may not be stored: everything pending is sent again, in local order (batches in flight never share a
     * row, so no row's later change can have overtaken this batch), after a backoff when the error is retryable.
     */
    void refused(ErrorMessage error, Runnable retryPush) {
        // retryPush runs on the engine thread once the backoff is over
        if (error.refId() == null || (inflight.remove(error.refId()) == null && !bulk.owns(error.refId()))) {
            return;
        }
        forget();
        if (error.code().retryable()) {
            long delay = options.retry().delay(retryAttempt++).toMillis();
            retry = engine.schedule(retryPush, delay, TimeUnit.MILLISECONDS);
        }
    }

    /** Cancels a retry that waits; engine thread. */
    void stop() {
        EngineThread.cancel(retry);
    }

    /** The longest head of {@code batch} within {@code budget} estimated bytes; never less than one change. */
    static List<LocalChange> withinBytes(List<LocalChange> batch, long budget) {
        long bytes = 0;
        for (int i = 0; i < batch.size(); i++) {
            bytes += estimatedBytes(batch.get(i));
            if (bytes > budget && i > 0) {
                return batch.subList(0, i);
            }
        }
        return batch;
    }

    private static long estimatedBytes(List<LocalChange> batch) {
        long bytes = 0;
        for (LocalChange change : batch) {
            bytes += estimatedBytes(change);
        }
        return bytes;
    }

    private static long estimatedBytes(LocalChange change) {
        return Rows.estimateBytes(change.change().row()) + DeviceOptions.CHANGE_OVERHEAD_BYTES;
    }
}
