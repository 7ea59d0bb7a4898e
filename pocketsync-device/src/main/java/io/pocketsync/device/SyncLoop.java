package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.DeviceState;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.capture.ParkedChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Rows;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's sync state machine (DESIGN.md 4.3, protocol.md 3). Every field is touched only on the
 * engine thread: transport callbacks and the public facade only enqueue tasks on it.
 *
 * <ul>
 *   <li>Each (re)connect: HELLO; on WELCOME merge the clock, push everything pending (up to
 *       {@link DeviceOptions#pushWindow()} PUSHes in flight, see {@link PushWindow}; all re-sent with the same
 *       change ids after a timeout or an error), then PULL until {@code more=false}.</li>
 *   <li>Local commits by any connection or process are noticed by polling {@code PRAGMA data_version}
 *       every {@link DeviceOptions#pollInterval()}, and within a fraction of a millisecond after a commit on
 *       {@link PocketSyncDevice#connection()} (its commit hook); they fire local watchers and push at once.</li>
 *   <li>CHANGES follow the cursor rule: applied only from the stored cursor, duplicates ignored, a gap
 *       answered by a PULL from the stored cursor.</li>
 * </ul>
 */
final class SyncLoop implements ClientTransport.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(SyncLoop.class);

    /**
     * When to look again after a commit hook fired (microseconds after the hook): the hook runs before the
     * commit is visible, and the commit (an fsync) takes from a tenth of a millisecond to several, so the
     * engine looks often at first, then less often, until it sees the commit.
     */
    private static final long[] COMMIT_REPOLL_MICROS = {100, 200, 350, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 10_000,
        25_000};

    private final ChangeCapture capture;
    private final ClientTransport transport;
    private final Endpoint endpoint;
    private final String token;
    private final DeviceOptions options;
    private final Watchers watchers;
    private final ScheduledExecutorService engine;
    private final Executor listenerExecutor;
    private final SyncStatusListener status;

    private boolean welcomed;
    private boolean needPull;
    private ScheduledFuture<?> catchUpCheck;
    private boolean pullOutstanding;
    /**
     * When an unanswered HELLO or PULL is given up and sent again ({@code 0}: none outstanding). Over MQTT a
     * request can vanish while the connection stays up (a broker restarted without persistence drops what it
     * receives before the server bridge has subscribed again; a full queue drops messages), and no disconnect
     * would ever tell us. The server answers both at once, so {@link DeviceOptions#pushTimeout()} bounds them too.
     */
    private long helloDeadlineNanos;
    private long pullDeadlineNanos;
    private boolean initialPushDone;
    /** A SNAPSHOT page of a resync was applied in this session, so the server continues the snapshot from our cursor. */
    private boolean resyncContinuing;
    private final PushWindow inflight;
    /**
     * False once a read of the pending changes found nothing beyond what is in flight, until something may have
     * added one: then {@link #fillWindow()} spares the engine the read (with its seal) after every ACK and every
     * applied CHANGES. Only a seal of what the triggers journaled adds pending changes, and the journal grows only
     * by commits of other connections, which {@link #poll()} sees as a new data version; a change an ACK does not
     * name stays pending; a forgotten window sends everything again.
     */
    private boolean mayHavePending = true;
    /** The next entry of {@link #COMMIT_REPOLL_MICROS} after a commit hook; -1 when none is running. */
    private int commitRepollStep = -1;
    private long commitHookNanos;
    private ScheduledFuture<?> commitRepoll;
    private int maxBatch;
    /** The estimated bytes one PUSH may hold (see {@link DeviceOptions#pushMaxBytes()}); halved by a refusal. */
    private long maxBatchBytes;
    private int retryAttempt;
    private ScheduledFuture<?> retry;
    private ScheduledFuture<?> poller;
    private long lastCounter;
    private Map<String, Long> lastVersions = new HashMap<>();
    private int batchesDone;
    private long rowsDone;
    private volatile boolean stopped;

    SyncLoop(ChangeCapture capture, ClientTransport transport, Endpoint endpoint, String token, DeviceOptions options,
            Watchers watchers, ScheduledExecutorService engine, Executor listenerExecutor, SyncStatusListener status) {
        this.capture = requireNonNull(capture, "capture is null");
        this.transport = requireNonNull(transport, "transport is null");
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
        this.token = requireNonNull(token, "token is null");
        this.options = requireNonNull(options, "options is null");
        this.watchers = requireNonNull(watchers, "watchers is null");
        this.engine = requireNonNull(engine, "engine is null");
        this.listenerExecutor = requireNonNull(listenerExecutor, "listenerExecutor is null");
        this.status = requireNonNull(status, "status is null");
        this.maxBatch = options.pushBatchSize();
        this.maxBatchBytes = options.pushMaxBytes();
        this.inflight = new PushWindow(options.pushWindow());
    }

    void start() {
        run(() -> {
            lastCounter = capture.changeCounter();
            lastVersions = capture.tableVersions();
            long period = options.pollInterval().toMillis();
            poller = engine.scheduleWithFixedDelay(() -> run(this::poll), period, period, TimeUnit.MILLISECONDS);
            long check = options.catchUpInterval().toMillis();
            catchUpCheck = engine.scheduleWithFixedDelay(() -> run(this::periodicPull), check, check, TimeUnit.MILLISECONDS);
        });
        transport.start(endpoint, this);
    }

    /**
     * A transport may lose a live broadcast without anyone noticing (an MQTT broker drops messages for a
     * client whose queue is full), and the gap would only show with the next broadcast. Pull now and then.
     */
    private void periodicPull() {
        if (welcomed && !stopped) {
            mayHavePending = true; // a backstop: look at the change log itself now and then
            needPull = true;
            pump();
        }
    }

    /** Pushes pending changes and catches up now (if connected). */
    void syncNow() {
        run(() -> {
            mayHavePending = true;
            poll();
            needPull = true;
            pump();
        });
    }

    /**
     * A commit on a connection the app got from the device (commit hook): look for new changes now. The
     * hook fires just before the commit becomes visible, so a poll that still sees the old data version
     * is followed by re-polls at {@link #COMMIT_REPOLL_MICROS} (each is one {@code PRAGMA data_version})
     * until one sees a new version. Commits in quick succession share one series of re-polls.
     */
    void localCommit() {
        long hook = System.nanoTime();
        run(() -> {
            commitHookNanos = hook;
            long before = lastCounter;
            poll();
            // a new version already: the commit was quick (or an earlier one shows); the regular poll is the backstop
            commitRepollStep = lastCounter != before ? -1 : 0;
            scheduleCommitRepoll();
        });
    }

    private void scheduleCommitRepoll() {
        if (commitRepollStep < 0 || commitRepollStep >= COMMIT_REPOLL_MICROS.length || stopped) {
            commitRepollStep = -1;
            return;
        }
        long due = commitHookNanos + TimeUnit.MICROSECONDS.toNanos(COMMIT_REPOLL_MICROS[commitRepollStep]);
        long delay = Math.max(0, due - System.nanoTime());
        if (commitRepoll != null && !commitRepoll.isDone()) {
            if (commitRepoll.getDelay(TimeUnit.NANOSECONDS) <= delay) {
                return; // the re-poll already scheduled comes first and continues the series
            }
            commitRepoll.cancel(false);
        }
        try {
            commitRepoll = engine.schedule(() -> run(this::commitRepoll), delay, TimeUnit.NANOSECONDS);
        }
        catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("engine stopped; re-poll dropped");
        }
    }

    private void commitRepoll() {
        if (commitRepollStep < 0) {
            return;
        }
        long before = lastCounter;
        poll();
        if (lastCounter != before) {
            commitRepollStep = -1; // the commit is visible and was handled
            return;
        }
        long elapsedMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - commitHookNanos);
        while (commitRepollStep < COMMIT_REPOLL_MICROS.length && COMMIT_REPOLL_MICROS[commitRepollStep] <= elapsedMicros) {
            commitRepollStep++;
        }
        scheduleCommitRepoll();
    }

    void stop() {
        stopped = true;
        transport.close();
        run(() -> {
            if (poller != null) {
                poller.cancel(false);
            }
            if (catchUpCheck != null) {
                catchUpCheck.cancel(false);
            }
            if (retry != null) {
                retry.cancel(false);
            }
            if (commitRepoll != null) {
                commitRepoll.cancel(false);
            }
            welcomed = false;
        });
    }

    // ---- transport callbacks: enqueue only ----

    @Override
    public void onConnected() {
        run(this::sendHello);
    }

    @Override
    public void onMessage(Message message) {
        run(() -> handle(message));
    }

    @Override
    public void onDisconnected(ErrorCode code, String reason) {
        run(() -> {
            boolean was = welcomed;
            welcomed = false;
            forgetWindow();
            pullOutstanding = false;
            helloDeadlineNanos = 0;
            if (was) {
                status(l -> l.disconnected(code, reason));
            }
        });
    }

    // ---- engine thread ----

    private void run(Runnable task) {
        if (engine.isShutdown()) {
            return;
        }
        try {
            engine.execute(() -> {
                try {
                    task.run();
                }
                catch (RuntimeException e) {
                    LOG.error("device engine task failed", e);
                    ErrorCode code = e instanceof PocketSyncException p ? p.code() : ErrorCode.INTERNAL;
                    status(l -> l.error(code, String.valueOf(e.getMessage())));
                }
            });
        }
        catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("engine stopped; task dropped");
        }
    }

    private void sendHello() {
        if (stopped) {
            return;
        }
        DeviceState state = capture.state();
        capture.refreshSchema();
        helloDeadlineNanos = deadline();
        transport.send(new Hello(ProtocolVersion.CURRENT, state.deviceId(), endpoint.scope(), token, state.cursor(), state.hlc()));
    }

    private void poll() {
        if (stopped) {
            return;
        }
        PushWindow.Batch overdue = inflight.overdue(System.nanoTime());
        if (overdue != null) {
            LOG.info("push {} not acknowledged in {}; sending every pending change again", overdue.batchId(),
                    options.pushTimeout());
            forgetWindow();
            pump();
        }
        if (!welcomed && helloDeadlineNanos != 0 && System.nanoTime() - helloDeadlineNanos > 0) {
            LOG.info("no WELCOME within {}; saying HELLO again", options.pushTimeout());
            sendHello();
        }
        if (welcomed && pullOutstanding && System.nanoTime() - pullDeadlineNanos > 0) {
            LOG.info("no answer to PULL within {}; pulling again", options.pushTimeout());
            pullOutstanding = false;
            needPull = true;
            pump();
        }
        long counter = capture.changeCounter();
        if (counter == lastCounter) {
            return;
        }
        lastCounter = counter;
        mayHavePending = true;
        capture.refreshSchema();
        // Push first (reading the pending changes seals the journal), then tell local watchers: the PUSH is on its
        // way while the table versions are read. A commit to untracked tables only costs one empty read.
        pump();
        Map<String, Long> versions = capture.tableVersions();
        Set<String> changed = new TreeSet<>();
        versions.forEach((table, version) -> {
            if (!version.equals(lastVersions.get(table))) {
                changed.add(table);
            }
        });
        lastVersions = versions;
        watchers.fire(changed, false);
    }

    private void pump() {
        if (!welcomed || stopped) {
            return;
        }
        if (inflight.hasRoom() && (retry == null || retry.isDone())) {
            capture.refreshSchema(); // cheap unless the schema changed; completes images captured by old triggers
            if (fillWindow()) {
                initialPushDone = true;
            }
        }
        if (needPull && !pullOutstanding && initialPushDone) {
            DeviceState state = capture.state();
            // A resync interrupted by a reconnect restarts from 0: the new session has no snapshot to continue,
            // and a catch-up from the mid-snapshot cursor would never end the resync (protocol.md 3.6).
            long cursor = state.resyncing() && !resyncContinuing ? 0 : state.cursor();
            long ownFrom = capture.ownChangesFrom(cursor);
            if (transport.send(new Pull(ProtocolVersion.CURRENT, cursor, options.pullLimit(), ownFrom))) {
                pullOutstanding = true;
                pullDeadlineNanos = deadline();
            }
        }
    }

    /**
     * Sends PUSHes while the window has room and pending changes may go (see {@link PushWindow}).
     *
     * @return true when nothing is pending and nothing is in flight
     */
    private boolean fillWindow() {
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
                if (e.code() != ErrorCode.MESSAGE_TOO_LARGE || batch.size() == 1) {
                    throw e;
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
            if (status != SyncStatusListener.NONE) {
                // a count of the change log: only for someone who listens
                long total = capture.pendingCount();
                status(l -> l.pushing(changes.size(), total));
            }
        }
        return false;
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

    private void handle(Message message) {
        if (stopped) {
            return;
        }
        if (message instanceof Welcome welcome) {
            onWelcome(welcome);
        }
        else if (message instanceof Ack ack) {
            onAck(ack);
        }
        else if (message instanceof Changes changes) {
            onChanges(changes);
        }
        else if (message instanceof ErrorMessage error) {
            onError(error);
        }
        else if (message instanceof Ping ping) {
            transport.send(new Pong(ProtocolVersion.CURRENT, ping.nonce()));
        }
        else if (!(message instanceof Pong)) {
            LOG.warn("unexpected {} from the server; ignored", message.type());
        }
    }

    private void onWelcome(Welcome welcome) {
        capture.mergeClock(welcome.serverHlc());
        welcomed = true;
        helloDeadlineNanos = 0;
        forgetWindow();
        pullOutstanding = false;
        initialPushDone = false;
        resyncContinuing = false;
        needPull = true;
        retryAttempt = 0;
        batchesDone = 0;
        rowsDone = 0;
        maxBatch = welcome.maxBatchChanges() > 0 ? Math.min(options.pushBatchSize(), welcome.maxBatchChanges()) : options.pushBatchSize();
        maxBatchBytes = welcome.maxMessageBytes() > 0 ? Math.min(options.pushMaxBytes(), welcome.maxMessageBytes())
                : options.pushMaxBytes();
        if (welcome.resyncRequired()) {
            LOG.info("server asks for a full resync (cursor {} outside its history)", capture.state().cursor());
        }
        status(SyncStatusListener::connected);
        pump();
    }

    private void onAck(Ack ack) {
        capture.mergeClock(ack.serverHlc());
        PushWindow.Batch acked = inflight.remove(ack.batchId());
        if (acked == null) {
            // A late ACK of a batch sent again after a timeout, or a second ACK of one batch (several server nodes
            // on MQTT): a batch sent since carries the same changes and its ACK decides them.
            LOG.debug("ACK of batch {} not in flight; ignored", ack.batchId());
            return;
        }
        ApplyReport report = capture.acknowledge(ack.results());
        if (ack.results().size() != acked.size()) {
            mayHavePending = true; // a change the ACK did not name is still pending: send it again
        }
        retryAttempt = 0;
        for (ChangeResult result : ack.results()) {
            if (result.status() == ChangeStatus.REJECTED) {
                status(l -> l.error(result.errorCode(), "change " + result.changeId() + " rejected: " + result.message()));
            }
        }
        reportApplied(report);
        pump();
    }

    private void onChanges(Changes changes) {
        boolean page = changes.mode() != ChangesMode.LIVE;
        if (page) {
            pullOutstanding = false;
        }
        else {
            long cursor = capture.state().cursor();
            if (cursor >= changes.cursor()) {
                return;
            }
            if (cursor != changes.fromCursor()) {
                needPull = true;
                pump();
                return;
            }
        }
        if (!changes.changes().isEmpty() && changes.sequences().isEmpty()) {
            // Without the server sequence of each row state a change cannot be ordered against what the device holds.
            // A catch-up page from a server that sends them heals a LIVE; a page is asked for again by the periodic pull.
            LOG.warn("{} CHANGES from cursor {} without seqs ignored", changes.mode(), changes.fromCursor());
            status(l -> l.error(ErrorCode.INVALID_FIELD, changes.mode() + " CHANGES without seqs ignored"));
            needPull |= !page;
            pump();
            return;
        }
        ApplyReport report = capture.apply(changes.changes(), changes.sequences(), changes.fromCursor(), changes.cursor(),
                changes.mode(), !changes.hasMore());
        if (!report.accepted()) {
            if (page) {
                needPull = true;
                if (capture.state().resyncing()) {
                    resyncContinuing = false;
                }
            }
            pump();
            return;
        }
        reportApplied(report);
        if (page) {
            batchesDone++;
            rowsDone += changes.changes().size();
            CatchUpProgress progress = new CatchUpProgress(batchesDone, rowsDone, rowsDone + changes.estimatedRemaining(),
                    changes.mode() == ChangesMode.SNAPSHOT);
            status(l -> l.catchingUp(progress));
            needPull = changes.hasMore();
            resyncContinuing = changes.mode() == ChangesMode.SNAPSHOT && changes.hasMore();
            if (!changes.hasMore()) {
                long cursor = changes.cursor();
                status(l -> l.caughtUp(cursor));
            }
        }
        pump();
    }

    private void onError(ErrorMessage error) {
        switch (error.code()) {
            case CATCH_UP_REQUIRED, RESYNC_REQUIRED -> {
                needPull = true;
                pullOutstanding = false;
            }
            default -> {
                if (error.refId() != null && inflight.remove(error.refId()) != null) {
                    // The batches after it may or may not be stored: send everything pending again, in local order
                    // (batches in flight never share a row, so no row's later change can have overtaken this batch).
                    forgetWindow();
                    if (error.code().retryable()) {
                        long delay = options.retry().delay(retryAttempt++).toMillis();
                        retry = engine.schedule(() -> run(this::pump), delay, TimeUnit.MILLISECONDS);
                    }
                }
                status(l -> l.error(error.code(), error.message()));
            }
        }
        pump();
    }

    /** Forgets the PUSHes in flight: every pending change is sent again, from the start. */
    private void forgetWindow() {
        inflight.clear();
        mayHavePending = true;
    }

    /** A deadline {@link DeviceOptions#pushTimeout()} from now, never {@code 0} (which means "none"). */
    private long deadline() {
        long deadline = System.nanoTime() + options.pushTimeout().toNanos();
        return deadline == 0 ? 1 : deadline;
    }

    private void reportApplied(ApplyReport report) {
        watchers.fire(report.tables(), true);
        for (ParkedChange parked : report.parked()) {
            status(l -> l.error(parked.code(), "remote change " + parked.changeId() + " for " + parked.table() + " parked: "
                    + parked.message()));
        }
    }

    private void status(Consumer<SyncStatusListener> event) {
        try {
            listenerExecutor.execute(() -> {
                try {
                    event.accept(status);
                }
                catch (RuntimeException e) {
                    LOG.warn("status listener failed", e);
                }
            });
        }
        catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("listener executor stopped; status event dropped");
        }
    }
}
