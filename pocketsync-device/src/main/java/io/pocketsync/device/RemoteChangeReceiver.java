package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.DeviceState;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.transport.ClientTransport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes remote changes in at the stored cursor (protocol.md 3.3 to 3.6): a LIVE broadcast is applied when it starts
 * at the cursor, ignored when it ends at or before it, and a gap is answered by a PULL from the cursor; catch-up
 * and snapshot pages are pulled one after the other until the server has no more, with progress reported.
 *
 * <p>A catch-up page that LIVE broadcasts overtook ({@link OvertakenPage}: they moved the cursor past the page's
 * {@code from} while it travelled) is not answered by a PULL at once: the broadcasts of everything the page covers
 * were committed before it was read and follow it, so the device waits for them and pulls only if they stop coming
 * before the cursor reaches the page's end. Pulling at once, during a burst of pushes, started a chain of PULLs
 * whose pages were each overtaken in turn and thrown away, for as long as the burst lasted.
 *
 * <p>Engine thread only.
 */
final class RemoteChangeReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteChangeReceiver.class);

    private final ChangeCapture capture;
    private final ClientTransport transport;
    private final DeviceOptions options;
    private final StatusBoard status;
    private final Consumer<ApplyReport> applied;

    private boolean needPull;
    private boolean pullOutstanding;
    /**
     * When an unanswered PULL is given up and sent again. Over MQTT a request can vanish while the connection stays
     * up (a broker restarted without persistence drops what it receives before the server bridge has subscribed
     * again; a full queue drops messages), and no disconnect would ever tell us. The server answers at once, so
     * {@link DeviceOptions#pushTimeout()} bounds it too.
     */
    private long pullDeadlineNanos;
    /** A SNAPSHOT page of a resync was applied in this session, so the server continues the snapshot from our cursor. */
    private boolean resyncContinuing;
    private final BooleanSupplier wantsChecksums;
    private final OvertakenPage overtaken = new OvertakenPage();
    /** A LIVE showed a gap since the last PULL went out: a page that LIVEs overtook does not make up for it. */
    private boolean gapSincePull;
    private int batchesDone;
    private long rowsDone;

    /**
     * @param applied told what a message wrote locally, to fire watchers and report parked changes
     * @param wantsChecksums whether a PULL asks for the server's checksums with the final page (a comparison is due)
     */
    RemoteChangeReceiver(ChangeCapture capture, ClientTransport transport, DeviceOptions options, StatusBoard status,
            Consumer<ApplyReport> applied, BooleanSupplier wantsChecksums) {
        this.capture = requireNonNull(capture, "capture is null");
        this.transport = requireNonNull(transport, "transport is null");
        this.options = requireNonNull(options, "options is null");
        this.status = requireNonNull(status, "status is null");
        this.applied = requireNonNull(applied, "applied is null");
        this.wantsChecksums = requireNonNull(wantsChecksums, "wantsChecksums is null");
    }

    /** A new session: catch up from the stored cursor (after the pending changes are pushed). */
    void welcomed() {
        pullOutstanding = false;
        overtaken.clear();
        resyncContinuing = false;
        needPull = true;
        batchesDone = 0;
        rowsDone = 0;
    }

    /** The connection is gone: an outstanding PULL will not be answered. */
    void disconnected() {
        pullOutstanding = false;
        overtaken.clear();
    }

    /** Pull from the stored cursor at the next chance (a gap, a catch-up the server asks for, a backstop). */
    void pullSoon() {
        needPull = true;
    }

    /** The server asked for a catch-up or a resync: what was asked before is void. */
    void pullAgain() {
        needPull = true;
        pullOutstanding = false;
    }

    /** Gives up an unanswered PULL after the push timeout; true when it did (a new one is wanted). */
    boolean pullOverdue(long nowNanos) {
        if (!pullOutstanding || nowNanos - pullDeadlineNanos <= 0) {
            return false;
        }
        LOG.info("no answer to PULL within {}; pulling again", options.pushTimeout());
        pullAgain();
        return true;
    }

    /**
     * Pulls after all when the LIVE broadcasts that overtook a catch-up page stopped coming before the cursor reached
     * its end (a broker dropped one, say); true when a PULL is wanted now.
     */
    boolean overtakenOverdue(long nowNanos) {
        // the state is read only while a page is awaited: this runs on every tick of the engine
        if (!overtaken.waiting() || !overtaken.overdue(nowNanos, capture.state().cursor())) {
            return false;
        }
        LOG.debug("LIVE broadcasts stopped short of an overtaken catch-up page; pulling from the cursor");
        needPull = true;
        return true;
    }

    /** Sends a PULL from the stored cursor when one is wanted and none is outstanding. */
    void pullIfWanted() {
        if (!needPull || pullOutstanding) {
            return;
        }
        DeviceState state = capture.state();
        // A resync interrupted by a reconnect restarts from 0: the new session has no snapshot to continue,
        // and a catch-up from the mid-snapshot cursor would never end the resync (protocol.md 3.6).
        pull(state.resyncing() && !resyncContinuing ? 0 : state.cursor());
    }

    private void pull(long cursor) {
        long ownFrom = capture.ownChangesFrom(cursor);
        // a device that lost or restored its data asks for its own rows too (OwnRowsRepair)
        // the coarse level: a server keeps it cheaply; the fine level of a table is asked only when it differs
        if (transport.send(new Pull(ProtocolVersion.CURRENT, cursor, options.pullLimit(), ownFrom, capture.repairing(),
                wantsChecksums.getAsBoolean() ? ChecksumLevel.COARSE : null))) {
            pullOutstanding = true;
            pullDeadlineNanos = SyncLoop.deadline(options);
            overtaken.clear(); // the answer to this PULL decides anew
            gapSincePull = false;
        }
    }

    /**
     * Asks for the page after {@code page} before applying it, so that the server reads and encodes it, and the
     * transport carries and decodes it, while this page is written: the stages overlap instead of waiting for each
     * other. Only for a page that fits the stored state (a page that will be refused would start a chain of pages
     * that do not fit either); if it is refused all the same, the page asked for is refused in turn and the device
     * pulls from its cursor, as after any gap (protocol.md 3.3). The PULL names the page's own cursor, so a snapshot
     * continues (3.6).
     */
    private void prefetchAfter(Changes page) {
        if (page.hasMore() && !pullOutstanding && capture.state().admits(page.mode(), page.fromCursor())) {
            pull(page.cursor());
        }
    }

    /**
     * Applies a CHANGES message when it fits the stored cursor.
     *
     * @return false for a LIVE the device already has (nothing to do); otherwise the caller pushes and pulls what
     *         may go now
     */
    boolean received(Changes changes) {
        boolean page = changes.mode() != ChangesMode.LIVE;
        if (page) {
            pullOutstanding = false;
        }
        else {
            long cursor = capture.state().cursor();
            if (cursor >= changes.cursor()) {
                return false;
            }
            if (cursor != changes.fromCursor()) {
                needPull = true;
                gapSincePull = true;
                return true;
            }
        }
        if (!changes.changes().isEmpty() && changes.sequences().isEmpty()) {
            // Without the server sequence of each row state a change cannot be ordered against what the device holds.
            // A catch-up page from a server that sends them heals a LIVE; a page is asked for again by the periodic pull.
            LOG.warn("{} CHANGES from cursor {} without seqs ignored", changes.mode(), changes.fromCursor());
            status.error(ErrorCode.INVALID_FIELD, changes.mode() + " CHANGES without seqs ignored");
            needPull |= !page;
            return true;
        }
        if (page) {
            prefetchAfter(changes);
        }
        ApplyReport report = capture.apply(changes.changes(), changes.sequences(), changes.fromCursor(), changes.cursor(),
                changes.mode(), !changes.hasMore());
        if (!report.accepted()) {
            if (page) {
                pageRefused(changes);
            }
            return true;
        }
        applied.accept(report);
        if (page) {
            batchesDone++;
            rowsDone += changes.changes().size();
            CatchUpProgress progress = new CatchUpProgress(batchesDone, rowsDone, rowsDone + changes.estimatedRemaining(),
                    changes.mode() == ChangesMode.SNAPSHOT);
            needPull = changes.hasMore();
            resyncContinuing = changes.mode() == ChangesMode.SNAPSHOT && changes.hasMore();
            status.pageApplied(progress, changes.hasMore(), changes.cursor());
        }
        else {
            status.liveApplied();
            if (overtaken.waiting() && overtaken.liveApplied(capture.state().cursor(), System.nanoTime())) {
                caughtUpByLive(capture.state().cursor());
            }
        }
        return true;
    }

    /**
     * A page the stored state refused: pull from the cursor, unless LIVEs overtook it ({@link OvertakenPage}) and showed
     * no gap meanwhile.
     */
    private void pageRefused(Changes page) {
        DeviceState state = capture.state();
        if (state.resyncing()) {
            needPull = true;
            resyncContinuing = false;
            return;
        }
        // an own-rows repair needs the pages themselves: LIVEs leave the device's own rows out
        OvertakenPage.Verdict verdict = gapSincePull || capture.repairing() ? OvertakenPage.Verdict.PULL_NOW
                : overtaken.refused(page, state.cursor(), System.nanoTime());
        needPull = verdict == OvertakenPage.Verdict.PULL_NOW;
        if (verdict == OvertakenPage.Verdict.CAUGHT_UP) {
            caughtUpByLive(state.cursor());
        }
    }

    /** LIVEs brought the device to the end of a catch-up page they overtook: the catch-up ended, as with its last page. */
    private void caughtUpByLive(long cursor) {
        status.pageApplied(new CatchUpProgress(batchesDone, rowsDone, rowsDone, false), false, cursor);
    }
}
