package io.pocketsync.device;

import io.pocketsync.api.ErrorCode;

/**
 * Sync status events of a {@link PocketSyncDevice}. Methods do nothing by default; override what you need, and
 * register with {@link PocketSyncDevice#addStatusListener} or {@link PocketSyncDeviceBuilder#statusListener}.
 * For one kind of event a lambda is shorter: {@link PocketSyncDevice#onStatus} and {@link PocketSyncDevice#onError}.
 *
 * <p>Called on the device's listener executor (never on a transport I/O thread nor on the engine
 * thread), one event at a time and in order. Implementations should not block for long.
 */
public class SyncStatusListener {
    /** A listener that ignores everything. */
    public static final SyncStatusListener NONE = new SyncStatusListener();

    /** The server welcomed the device; pending changes are pushed and catch-up starts. */
    public void connected() {}

    /**
     * A device of several scopes: the server welcomed it into {@code scope} (that scope's session started; its grant is
     * {@link PocketSyncDevice#grant(String)}). Said once per scope session, each time before {@link #connected()}; a
     * device of one scope says only {@link #connected()}.
     *
     * @param scope the scope whose session started
     */
    public void scopeConnected(String scope) {}

    /**
     * The connection is gone; the transport reconnects with backoff. Local writes keep queueing.
     *
     * @param code why the connection ended, as the server or the transport reported it
     * @param reason a human-readable explanation (no secrets); may be empty
     */
    public void disconnected(ErrorCode code, String reason) {}

    /**
     * The device could not get a session: the server was unreachable (a wrong host or port, a refused connection), did
     * not serve PocketSync at the URL (a wrong path), or refused the device (a wrong token, a forbidden scope). Said once
     * per distinct cause while attempts keep failing the same way, and once per backoff step after a refusal; the
     * device logs the same at WARN. The device keeps trying until it is closed.
     *
     * <p>By default this calls {@link #error}, so a listener of errors hears of it too.
     *
     * @param code what kind of failure: {@code TRANSPORT_CLOSED} or {@code TIMEOUT} for a server out of reach,
     *        {@code CONFIG_INVALID} for a URL that names no PocketSync endpoint, the server's code for a refusal
     *        ({@code AUTH_FAILED}, {@code TOKEN_EXPIRED}, {@code SCOPE_FORBIDDEN}, ...)
     * @param message what was wrong, in words (no secrets), and when the next attempt is if the device knows
     */
    public void connectFailed(ErrorCode code, String message) {
        error(code, message);
    }

    /**
     * A PUSH was sent.
     *
     * @param changes the number of changes in this PUSH (at least 1)
     * @param pending the number of local changes that were waiting to be acknowledged in total, this PUSH's
     *        included
     */
    public void pushing(int changes, long pending) {}

    /**
     * A catch-up page was applied.
     *
     * @param progress where the catch-up stands after the page; never null
     */
    public void catchingUp(CatchUpProgress progress) {}

    /**
     * Catch-up finished: the device has everything the server had when the last page was served.
     *
     * @param cursor the last server sequence the device applied, the point the next catch-up resumes from
     */
    public void caughtUp(long cursor) {}

    /**
     * Something went wrong: a change was rejected or parked, the server reported an error, or the engine failed.
     *
     * @param code the error code
     * @param message a human-readable explanation (no secrets)
     */
    public void error(ErrorCode code, String message) {}

    /**
     * The {@link PocketSyncDevice#status() status snapshot} changed; called after the event that changed it. The
     * pending and parked counts in it are kept current while any status listener is registered.
     *
     * @param status the new snapshot; never null
     */
    public void statusChanged(SyncStatus status) {}

    /**
     * A checksum comparison with the server found rows of {@code table} that differed from the server's state (a
     * write behind the engine's back, a lost page) and wrote the server's state into them (docs/protocol.md 4).
     * Pending local changes were left alone and are still pushed. Rare by design: a repeated repair points at
     * something that writes the database around PocketSync.
     *
     * @param table the table
     * @param rows rows written or deleted (0 when the differing rows could not be repaired)
     */
    public void rowsRepaired(String table, int rows) {}
}
