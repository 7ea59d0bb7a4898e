package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.ParkedChange;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's connection to the server (docs/protocol.md 3, docs/architecture.md 4): the {@link DeviceHandshake}
 * says HELLO on each (re)connect; on WELCOME the clock is merged ({@link ServerClock}), everything pending is pushed
 * ({@link ChangePusher}), then the device catches up from its cursor ({@link RemoteChangeReceiver}) and compares
 * checksums ({@link ChecksumVerifier}); local commits are noticed by the {@link LocalChangeWatcher}. Every field is
 * touched only on the engine thread: transport callbacks and the public facade only enqueue tasks on it.
 *
 * <p>The engine's tick (every {@link DeviceOptions#pollInterval()}) gives up an unanswered HELLO, PUSH or PULL
 * after {@link DeviceOptions#pushTimeout()} and looks for local commits; every
 * {@link DeviceOptions#catchUpInterval()} the device pulls even though nothing told it to.
 */
final class SyncLoop implements ClientTransport.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(SyncLoop.class);
    /** How soon the work a busy database stopped is done again; the busy timeout has been waited out already. */
    private static final long BUSY_RETRY_MILLIS = 250;

    private final ChangeCapture capture;
    private final ClientTransport transport;
    private final Endpoint endpoint;
    private final DeviceOptions options;
    private final Watchers watchers;
    private final EngineThread engine;
    private final StatusBoard status;
    private final LocalChangeWatcher localChanges;
    private final ChangePusher pusher;
    private final RemoteChangeReceiver receiver;
    private final TableCatchUpReceiver tableCatchUp;
    private final ChecksumVerifier verifier;
    private final DeviceHandshake handshake;
    private final ServerClock clock;

    private boolean initialPushDone;
    private @Nullable ScheduledFuture<?> ticker;
    private @Nullable ScheduledFuture<?> catchUpCheck;
    private @Nullable ScheduledFuture<?> busyRetry;
    private @Nullable ScheduledFuture<?> verifyCheck;
    private volatile boolean stopped;

    SyncLoop(ChangeCapture capture, ClientTransport transport, Endpoint endpoint, Supplier<String> tokens, DeviceOptions options,
            Watchers watchers, EngineThread engine, StatusBoard status) {
        this.capture = requireNonNull(capture, "capture is null");
        this.transport = requireNonNull(transport, "transport is null");
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
        this.options = requireNonNull(options, "options is null");
        this.watchers = requireNonNull(watchers, "watchers is null");
        this.engine = requireNonNull(engine, "engine is null");
        this.status = requireNonNull(status, "status is null");
        this.localChanges = new LocalChangeWatcher(capture, watchers, engine, this::localCommitSeen);
        this.pusher = new ChangePusher(capture, transport, options, engine, status, this::reportApplied);
        this.receiver = new RemoteChangeReceiver(capture, transport, options, status, this::reportApplied,
                this::wantsChecksums);
        this.tableCatchUp = new TableCatchUpReceiver(capture, transport, options, status, this::reportApplied);
        this.verifier = new ChecksumVerifier(capture, transport, options, status, () -> {
            receiver.pullSoon();
            pump();
        }, table -> watchers.fire(List.of(table), true));
        this.clock = new ServerClock(capture);
        this.handshake = new DeviceHandshake(capture, transport, endpoint, tokens, options, engine, status, () -> stopped,
                this::sessionLost);
        engine.onBusy(this::afterBusy);
    }

    void start() {
        engine.run(() -> {
            localChanges.start();
            status.started(capture.state().lastSync());
            if (status.wantsCounts()) {
                status.refreshCounts(capture);
            }
            long period = options.pollInterval().toMillis();
            ticker = engine.every(this::tick, period, TimeUnit.MILLISECONDS);
            long check = options.catchUpInterval().toMillis();
            catchUpCheck = engine.every(this::periodicPull, check, TimeUnit.MILLISECONDS);
            if (!options.verifyInterval().isZero()) {
                verifyCheck = engine.every(verifier::periodic, options.verifyInterval().toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        transport.start(endpoint, this);
    }

    /**
     * A transport may lose a live broadcast without anyone noticing (an MQTT broker drops messages for a
     * client whose queue is full), and the gap would only show with the next broadcast. Pull now and then.
     */
    private void periodicPull() {
        if (handshake.inSession() && !stopped) {
            pusher.lookAgain(); // a backstop: look at the change log itself now and then
            receiver.pullSoon();
            pump();
        }
    }

    /** A busy database stopped a task (an ACK not marked, a page not applied): soon, resend and pull as on reconnect. */
    private void afterBusy() {
        if (busyRetry == null || busyRetry.isDone()) {
            busyRetry = engine.schedule(() -> {
                if (handshake.inSession() && !stopped) {
                    pusher.forget();
                    receiver.pullSoon();
                    pump();
                }
            }, BUSY_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Pushes pending changes and catches up now (if connected). */
    void syncNow() {
        engine.run(() -> {
            pusher.lookAgain();
            tick();
            receiver.pullSoon();
            pump();
        });
    }

    /** Starts an explicit resync (see {@link ChangeCapture#resync()}); the next PULL asks for the full state. */
    void resync() {
        engine.run(() -> {
            capture.resync();
            receiver.pullAgain();
            pump();
        });
    }

    /** Compares the rows with the server's by checksum (see {@link PocketSyncDevice#verify}); any thread. */
    CompletableFuture<VerifyReport> verify(boolean repair) {
        CompletableFuture<VerifyReport> result = new CompletableFuture<>();
        engine.run(() -> verifier.start(repair).whenComplete((report, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
            }
            else {
                result.complete(report);
            }
        }));
        return result;
    }

    ChecksumStats checksumStats() {
        return verifier.stats();
    }

    /** {@link PocketSyncDevice#status()} was asked (any thread): counts that may be stale are read again. */
    void statusAsked() {
        if (status.countWanted()) {
            engine.run(() -> status.refreshCounts(capture));
        }
    }

    /** A commit on a connection the app got from the device (its commit hook; any thread). */
    void localCommit() {
        localChanges.commitHook();
    }

    void stop() {
        stopped = true;
        transport.close();
        engine.run(() -> {
            EngineThread.cancel(ticker);
            EngineThread.cancel(catchUpCheck);
            EngineThread.cancel(busyRetry);
            EngineThread.cancel(verifyCheck);
            verifier.disconnected();
            pusher.stop();
            localChanges.stop();
            handshake.stop();
        });
    }

    // ---- transport callbacks: enqueue only ----

    @Override
    public void onConnected() {
        engine.run(handshake::connected);
    }

    @Override
    public void onMessage(Message message) {
        engine.run(() -> handle(message));
    }

    @Override
    public void onDisconnected(ErrorCode code, String reason) {
        engine.run(() -> handshake.disconnected(code, reason));
    }

    // ---- engine thread ----

    /** The session is over (a disconnect, refused credentials, an expired token): what is in flight goes unanswered. */
    private void sessionLost() {
        pusher.forget();
        receiver.disconnected();
        tableCatchUp.sessionChanged();
        verifier.disconnected();
    }

    /** Gives up what is unanswered for too long, and looks for local commits. */
    private void tick() {
        if (stopped) {
            return;
        }
        long now = System.nanoTime();
        PushWindow.Batch overdue = pusher.overdue(now);
        if (overdue != null) {
            LOG.info("push {} not acknowledged in {}; sending every pending change again", overdue.batchId(),
                    options.pushTimeout());
            pusher.forget();
            pump();
        }
        handshake.tick(now);
        if (handshake.inSession() && (receiver.pullOverdue(now) | receiver.overtakenOverdue(now) | tableCatchUp.overdue(now))) {
            pump();
        }
        verifier.tick(now);
        localChanges.poll();
        if (status.wantsCounts()) {
            status.refreshCounts(capture); // a read only when something may have changed the counts
        }
    }

    /** A local commit showed a new data version: its changes may be pending now. */
    private void localCommitSeen() {
        if (!handshake.inSession()) {
            // offline: seal now rather than at the next connection, so that __pocketsync_changes and
            // __pocketsync_version show every committed write within a poll, online or not
            capture.pendingCount();
        }
        status.countsMayHaveChanged();
        pusher.lookAgain();
        capture.refreshSchema();
        pump();
    }

    /** Pushes what may go, then pulls when a catch-up is wanted and the pending changes went first. */
    private void pump() {
        if (!handshake.inSession() || stopped) {
            return;
        }
        if (pusher.push()) {
            initialPushDone = true;
        }
        if (initialPushDone) {
            receiver.pullIfWanted();
            tableCatchUp.pullIfWanted();
        }
    }

    private void handle(Message message) {
        if (stopped) {
            return;
        }
        if (message instanceof Welcome welcome) {
            onWelcome(welcome);
        }
        else if (message instanceof Ack ack) {
            clock.acknowledged(ack);
            if (pusher.acknowledged(ack)) {
                if (clock.remeasuredAfterSkew(ack)) {
                    pusher.forget(); // send it all again, restamped
                }
                status.countsMayHaveChanged();
                pump();
            }
        }
        else if (message instanceof Changes changes && changes.tables() != null) {
            tableCatchUp.received(changes);
            pump();
        }
        else if (message instanceof Changes changes) {
            if (receiver.received(changes)) {
                pump();
            }
            if (changes.mode() != ChangesMode.LIVE && !changes.hasMore()) {
                verifier.caughtUp(changes.checksums());
            }
        }
        else if (message instanceof Checksums checksums) {
            verifier.received(checksums);
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
        clock.welcomed(welcome);
        // before anything is pushed: the ACKs of a restored file's old changes would raise the mark it is judged by
        capture.repairIfBehind(welcome.deviceMark(), welcome.headCursor());
        handshake.welcomed();
        initialPushDone = false;
        pusher.welcomed(welcome);
        receiver.welcomed();
        tableCatchUp.sessionChanged();
        verifier.welcomed();
        if (welcome.resyncRequired()) {
            LOG.info("server asks for a full resync (cursor {} outside its history)", capture.state().cursor());
        }
        status.connected(welcome.resyncRequired(), welcome.grant());
        pump();
    }

    private void onError(ErrorMessage error) {
        if (handshake.refusal(error)) {
            return;
        }
        switch (error.code()) {
            case CATCH_UP_REQUIRED, RESYNC_REQUIRED -> receiver.pullAgain();
            case UNKNOWN_MESSAGE_TYPE -> {
                if (!verifier.refusedAsUnknown()) {
                    pusher.refused(error, this::pump);
                    status.error(error.code(), error.message());
                }
            }
            default -> {
                pusher.refused(error, this::pump);
                status.error(error.code(), error.message());
            }
        }
        pump();
    }

    private boolean wantsChecksums() {
        return verifier.wantsChecksums();
    }

    /** Fires watchers of the tables remote changes were written to, and reports what was parked. */
    private void reportApplied(ApplyReport report) {
        watchers.fire(report.tables(), true);
        if (!report.parked().isEmpty()) {
            status.countsMayHaveChanged();
        }
        for (ParkedChange parked : report.parked()) {
            status.error(parked.code(), "remote change " + parked.changeId() + " for " + parked.table() + " parked: "
                    + parked.message());
        }
    }

    /** A deadline {@link DeviceOptions#pushTimeout()} from now, never {@code 0} (which means "none"). */
    static long deadline(DeviceOptions options) {
        long deadline = System.nanoTime() + options.pushTimeout().toNanos();
        return deadline == 0 ? 1 : deadline;
    }
}
