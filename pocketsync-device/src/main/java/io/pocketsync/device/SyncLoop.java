package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.DeviceState;
import io.pocketsync.api.capture.ParkedChange;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's connection to the server (docs/protocol.md 3, docs/architecture.md 4): HELLO on each (re)connect; on
 * WELCOME the clock is merged, everything pending is pushed ({@link ChangePusher}), then the device catches up from its
 * cursor ({@link RemoteChangeReceiver}); local commits are noticed by the {@link LocalChangeWatcher}. Every field is
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
    private final Supplier<String> tokens;
    private final DeviceOptions options;
    private final Watchers watchers;
    private final EngineThread engine;
    private final StatusBoard status;
    private final LocalChangeWatcher localChanges;
    private final ChangePusher pusher;
    private final RemoteChangeReceiver receiver;
    private final ChecksumVerifier verifier;
    private final FirstContact contact;

    private boolean welcomed;
    /**
     * When an unanswered HELLO is given up and sent again ({@code 0}: none outstanding): over MQTT a request can
     * vanish while the connection stays up, and no disconnect would ever tell us (see {@link RemoteChangeReceiver}).
     */
    private long helloDeadlineNanos;
    /** Whether the transport reported a connection since its last disconnect: a close before one is a failed attempt. */
    private boolean transportOpen;
    /** Whether this connection's HELLO was refused already (the ERROR and the close both say so). */
    private boolean refusedThisAttempt;
    private boolean initialPushDone;
    /** The credentials were refused since the last WELCOME: repeats are logged at DEBUG only. */
    private boolean refusedBefore;
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
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.options = requireNonNull(options, "options is null");
        this.watchers = requireNonNull(watchers, "watchers is null");
        this.engine = requireNonNull(engine, "engine is null");
        this.status = requireNonNull(status, "status is null");
        this.localChanges = new LocalChangeWatcher(capture, watchers, engine, this::localCommitSeen);
        this.pusher = new ChangePusher(capture, transport, options, engine, status, this::reportApplied);
        this.receiver = new RemoteChangeReceiver(capture, transport, options, status, this::reportApplied,
                this::wantsChecksums);
        this.verifier = new ChecksumVerifier(capture, transport, options, status, () -> {
            receiver.pullSoon();
            pump();
        }, table -> watchers.fire(java.util.List.of(table), true));
        engine.onBusy(this::afterBusy);
        this.contact = new FirstContact(endpoint.uri().toString(), options, status, engine, transport, this::sendHello);
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
        if (welcomed && !stopped) {
            pusher.lookAgain(); // a backstop: look at the change log itself now and then
            receiver.pullSoon();
            pump();
        }
    }

    /** A busy database stopped a task (an ACK not marked, a page not applied): soon, resend and pull as on reconnect. */
    private void afterBusy() {
        if (busyRetry == null || busyRetry.isDone()) {
            busyRetry = engine.schedule(() -> {
                if (welcomed && !stopped) {
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
    java.util.concurrent.CompletableFuture<VerifyReport> verify(boolean repair) {
        java.util.concurrent.CompletableFuture<VerifyReport> result = new java.util.concurrent.CompletableFuture<>();
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
            contact.disconnected();
            verifier.disconnected();
            pusher.stop();
            localChanges.stop();
            welcomed = false;
        });
    }

    // ---- transport callbacks: enqueue only ----

    @Override
    public void onConnected() {
        engine.run(() -> {
            transportOpen = true;
            refusedThisAttempt = false;
            sendHello();
        });
    }

    @Override
    public void onMessage(Message message) {
        engine.run(() -> handle(message));
    }

    @Override
    public void onDisconnected(ErrorCode code, String reason) {
        engine.run(() -> {
            boolean was = welcomed;
            if (!transportOpen) {
                contact.attemptFailed(code, reason);
            }
            else if (!was && !refusedThisAttempt && !code.retryable()) {
                refused(code, reason); // the close said it, the ERROR before it was lost
            }
            transportOpen = false;
            contact.disconnected();
            welcomed = false;
            pusher.forget();
            receiver.disconnected();
            verifier.disconnected();
            helloDeadlineNanos = 0;
            status.disconnected(code, reason, was);
        });
    }

    // ---- engine thread ----

    private void sendHello() {
        if (stopped || !transportOpen || contact.helloHeld()) {
            return;
        }
        // first: a HELLO that a busy database stops (refreshSchema writes when the schema changed) is said again
        helloDeadlineNanos = deadline(options);
        capture.refreshSchema();
        // the tracked tables, before the state: a table tracked since the last HELLO moves the cursor back to 0
        List<String> tables = capture.subscribe();
        DeviceState state = capture.state();
        String token;
        try {
            // asked at every HELLO: a session that ended with its token starts again with the one the app has now
            token = tokens.get();
        }
        catch (RuntimeException e) {
            token = null;
            LOG.warn("the token supplier failed with {}; saying HELLO again in {}", e.getClass().getName(), options.pushTimeout());
        }
        if (token == null) {
            status.error(ErrorCode.AUTH_FAILED, "no token to say HELLO with (the token supplier gave none)");
            return;
        }
        transport.send(new Hello(ProtocolVersion.CURRENT, state.deviceId(), endpoint.scope(), token, state.cursor(), state.hlc(),
                transport.maxAssembledBytes(), tables));
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
        if (!welcomed && helloDeadlineNanos != 0 && now - helloDeadlineNanos > 0) {
            if (refusedBefore) {
                LOG.debug("saying HELLO again after the credentials were refused or expired");
            }
            else {
                LOG.info("no WELCOME within {}; saying HELLO again", options.pushTimeout());
            }
            sendHello();
        }
        if (welcomed && receiver.pullOverdue(now)) {
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
        if (!welcomed) {
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
        if (!welcomed || stopped) {
            return;
        }
        if (pusher.push()) {
            initialPushDone = true;
        }
        if (initialPushDone) {
            receiver.pullIfWanted();
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
            capture.mergeClock(ack.serverHlc());
            if (pusher.acknowledged(ack)) {
                if (refusedForClock(ack)) {
                    // the clock moved since the WELCOME measured it: measure again, which restamps what is pending
                    // (the refused changes are pending again, see SkewedChanges), and send it all again
                    if (ack.serverTimeMillis() > 0) {
                        measureClockOffset(ack.serverTimeMillis());
                        // and what is stamped already, even if this device's clock has not caught up with itself yet
                        capture.restampAhead(ack.serverTimeMillis());
                    }
                    pusher.forget();
                }
                status.countsMayHaveChanged();
                pump();
            }
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

    /** A measured clock offset below this is network delay, not a wrong clock. */
    private static final long CLOCK_NOISE_MILLIS = 1_000;

    /** Stores how far this device's clock is from the server's, which restamps pending changes if it moved. */
    private void measureClockOffset(long serverTimeMillis) {
        // the measure includes one network delay; below a second it is noise, not a wrong clock
        long offset = System.currentTimeMillis() - serverTimeMillis;
        capture.clockOffset(Math.abs(offset) < CLOCK_NOISE_MILLIS ? 0 : offset);
    }

    private static boolean refusedForClock(Ack ack) {
        for (ChangeResult result : ack.results()) {
            if (result.status() == ChangeStatus.REJECTED && result.errorCode() == ErrorCode.CLOCK_SKEW) {
                return true;
            }
        }
        return false;
    }

    private void onWelcome(Welcome welcome) {
        capture.mergeClock(welcome.serverHlc());
        if (welcome.serverTimeMillis() > 0) {
            measureClockOffset(welcome.serverTimeMillis());
        }
        // before anything is pushed: the ACKs of a restored file's old changes would raise the mark it is judged by
        capture.repairIfBehind(welcome.deviceMark());
        welcomed = true;
        refusedBefore = false;
        helloDeadlineNanos = 0;
        contact.welcomed();
        initialPushDone = false;
        pusher.welcomed(welcome);
        receiver.welcomed();
        verifier.welcomed();
        if (welcome.resyncRequired()) {
            LOG.info("server asks for a full resync (cursor {} outside its history)", capture.state().cursor());
        }
        status.connected(welcome.resyncRequired());
        pump();
    }

    private void onError(ErrorMessage error) {
        if (!welcomed) {
            refused(error.code(), error.message());
            return;
        }
        switch (error.code()) {
            case TOKEN_EXPIRED, AUTH_FAILED -> {
                credentialsRefused(error);
                return;
            }
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

    /** The server refused this connection's HELLO: no HELLO, and no connection attempt, until the backoff is over. */
    private void refused(ErrorCode code, String message) {
        refusedThisAttempt = true;
        helloDeadlineNanos = 0;
        contact.refused(code, message);
    }

    /**
     * The server refused the HELLO's credentials, or ended the session because its token expired: the session is over.
     * Over a socket the server closes the connection too, and the reconnect says HELLO again; over MQTT nothing else
     * happens, so the tick says HELLO again: after a poll interval when the session ended with its token, after
     * {@link DeviceOptions#pushTimeout()} when the credentials were refused. Either way the token supplier is asked
     * again, and a fresh token starts a new session.
     */
    private void credentialsRefused(ErrorMessage error) {
        boolean was = welcomed;
        welcomed = false;
        pusher.forget();
        receiver.disconnected();
        verifier.disconnected();
        boolean expired = error.code() == ErrorCode.TOKEN_EXPIRED;
        // an ended session says HELLO again soon (its app has likely renewed the token); a refused one waits longer
        helloDeadlineNanos = expired ? System.nanoTime() + options.pollInterval().toNanos() : deadline(options);
        if (was || !refusedBefore) {
            LOG.info("the server {} ({}); saying HELLO again with the token the supplier has then",
                    expired ? "ended the session: its token expired" : "refused the credentials", error.code());
        }
        else {
            LOG.debug("the server refused the credentials again ({})", error.code());
        }
        refusedBefore = true;
        status.error(error.code(), error.message());
        status.disconnected(error.code(), error.message(), was);
    }

    /** Fires watchers of the tables remote changes were written to, and reports what was parked. */
    private boolean wantsChecksums() {
        return verifier.wantsChecksums();
    }

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
