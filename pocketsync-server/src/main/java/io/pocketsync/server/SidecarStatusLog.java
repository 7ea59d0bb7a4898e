package io.pocketsync.server;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.auth.Grant;
import io.pocketsync.device.CatchUpProgress;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.SyncStatusListener;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's status in its log: an operator watching it sees connects, outages, errors, and the progress of long
 * pushes and catch-ups ({@link SyncProgress}). Failed first contacts are not repeated here: the device logs them itself,
 * once per cause.
 */
final class SidecarStatusLog extends SyncStatusListener {
    private static final Logger log = LoggerFactory.getLogger(DeviceCommand.class);

    volatile boolean connected;
    private volatile @Nullable SyncProgress progress;
    /** Whether the catch-up since the last connect was told: the periodic empty pulls after it are not. */
    private volatile boolean caughtUpTold;
    private volatile long rowsSinceCaughtUp;

    private volatile @Nullable PocketSyncDevice device;

    /** Says, at each connect, what the server lets {@code value} do in its scopes ({@link #grant}). */
    void device(PocketSyncDevice value) {
        device = value;
    }

    /**
     * What WELCOME said of {@code scope}: {@code grant rw}, {@code grant r} (its writes are refused and reverted), or
     * {@code grant unknown} (a server older than protocol 4).
     */
    static String grant(PocketSyncDevice device, String scope) {
        Grant grant = device.grant(scope);
        return (grant == null ? "grant unknown" : "grant " + grant.shortForm())
                + (grant == Grant.READ_ONLY ? " (read-only: local writes are refused and reverted)" : "");
    }

    /** Hands push and catch-up events to {@code value} from now on. */
    void progress(SyncProgress value) {
        progress = value;
    }

    @Override
    public void connected() {
        connected = true;
        caughtUpTold = false;
        PocketSyncDevice current = device;
        if (current != null && current.scopes().size() == 1) {
            log.info("Connected ({})", grant(current, current.scopes().get(0)));
        }
    }

    /** A device of several scopes: one line per scope session, naming its grant. */
    @Override
    public void scopeConnected(String scope) {
        PocketSyncDevice current = device;
        log.info("Connected to scope {} ({})", scope, current == null ? "grant unknown" : grant(current, scope));
    }

    @Override
    public void disconnected(ErrorCode code, String reason) {
        connected = false;
        SyncProgress current = progress;
        if (current != null) {
            current.disconnected();
        }
        log.warn("Disconnected ({}: {}); retrying with backoff, local writes keep queueing", code, reason);
    }

    @Override
    public void connectFailed(ErrorCode code, String message) {
        // the device logged it at WARN, once per cause
    }

    @Override
    public void pushing(int changes, long pending) {
        SyncProgress current = progress;
        if (current != null) {
            current.pushing(pending);
        }
        log.debug("Pushing {} of {} pending change(s)", changes, pending);
    }

    @Override
    public void catchingUp(CatchUpProgress catchUp) {
        SyncProgress current = progress;
        if (current != null) {
            current.catchingUp(catchUp);
        }
        rowsSinceCaughtUp = catchUp.rowsDone();
        log.debug("Catching up: {} of ~{} rows ({} batches){}", catchUp.rowsDone(), catchUp.estimatedTotalRows(),
                catchUp.batchesDone(), catchUp.snapshot() ? " [full resync]" : "");
    }

    @Override
    public void caughtUp(long cursor) {
        SyncProgress current = progress;
        if (current != null) {
            current.caughtUp();
        }
        if (!caughtUpTold || rowsSinceCaughtUp > 0) {
            log.info("Up to date at server sequence {}{}", cursor, rowsSinceCaughtUp > 0 ? " (" + rowsSinceCaughtUp
                    + " row(s) applied)" : "");
            caughtUpTold = true;
        }
        else {
            log.debug("Up to date at server sequence {}", cursor);
        }
        rowsSinceCaughtUp = 0;
    }

    @Override
    public void error(ErrorCode code, String message) {
        log.warn("{}: {}", code, message);
    }
}
