package io.pocketsync.server.engine;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangesMode;
import java.time.Duration;

/**
 * Events of a {@link SyncServer}, for metrics (the CLI backs it with Micrometer) and tests. Every method
 * does nothing by default; override what you need.
 *
 * <p>Methods are called on engine threads (session workers, store feed threads), concurrently; they
 * must be thread-safe and fast, and must not throw.
 */
public class ServerListener {
    /** A listener that ignores every event. */
    public static final ServerListener NONE = new ServerListener();

    /**
     * A transport handed over a connection.
     *
     * @param transport the transport provider name, for example {@code websocket} or {@code mqtt}
     */
    public void connected(String transport) {}

    /**
     * A connection closed.
     *
     * @param transport the transport provider name, for example {@code websocket} or {@code mqtt}
     */
    public void disconnected(String transport) {}

    /**
     * A HELLO was accepted.
     *
     * @param scope the scope the device authenticated for
     * @param transport the transport provider name, for example {@code websocket} or {@code mqtt}
     */
    public void sessionOpened(Scope scope, String transport) {}

    /**
     * A HELLO was refused (version, identifiers, credentials) or a message came before it.
     *
     * @param transport the transport provider name, for example {@code websocket} or {@code mqtt}
     * @param code why the HELLO was refused
     */
    public void sessionRefused(String transport, ErrorCode code) {}

    /**
     * A HELLO was refused without checking its credentials because its address or its device id failed to log in too
     * often (docs/operations.md, "Authentication throttling"). Also counted by {@link #sessionRefused} as
     * {@code AUTH_FAILED}, the answer the device got.
     *
     * @param transport the transport provider name, for example {@code websocket} or {@code mqtt}
     * @param by {@code address} or {@code device}: which of the two is throttled
     */
    public void loginThrottled(String transport, String by) {}

    /**
     * Changes of one PUSH were applied.
     *
     * @param scope the PUSH's scope
     * @param count how many changes got a new server sequence; at least 1
     */
    public void changesApplied(Scope scope, int count) {}

    /**
     * Changes of one PUSH were duplicates.
     *
     * @param scope the PUSH's scope
     * @param count how many changes were already stored (redelivered); at least 1
     */
    public void changesDuplicate(Scope scope, int count) {}

    /**
     * Changes of one PUSH lost their conflict.
     *
     * @param scope the PUSH's scope
     * @param count how many changes lost to the stored row; at least 1
     */
    public void changesSuperseded(Scope scope, int count) {}

    /**
     * One change was rejected with {@code code}.
     *
     * @param scope the PUSH's scope
     * @param code why the change was refused
     */
    public void changeRejected(Scope scope, ErrorCode code) {}

    /**
     * A message got an ERROR reply (the session may stay open).
     *
     * @param code the code in the ERROR reply
     */
    public void errorSent(ErrorCode code) {}

    /**
     * A committed batch was broadcast to {@code recipients} sessions of this node; {@code dropped} of them missed it.
     *
     * @param scope the batch's scope
     * @param recipients sessions of this node the batch was queued for
     * @param dropped sessions that missed it because their connection's byte budget, or their scope's, was spent (or the
     *        connection refused it otherwise); they are told to catch up
     */
    public void broadcast(Scope scope, int recipients, int dropped) {}

    /**
     * A catch-up or snapshot page was sent.
     *
     * @param scope the requesting session's scope
     * @param mode whether the page was a change-log page or a snapshot page
     * @param rows rows in the page; 0 for an empty page
     * @param bytes the encoded size of the page message in bytes
     */
    public void catchUpPage(Scope scope, ChangesMode mode, int rows, long bytes) {}

    /**
     * A device pulled a catch-up or snapshot page while {@code behind} sequences behind its scope's head
     * (head minus the page's start); called once per page, before {@link #catchUpPage}.
     *
     * @param scope the requesting session's scope
     * @param mode whether the page is a change-log page or a snapshot page
     * @param behind sequences between the page's start and the scope's head; not negative
     */
    public void catchUpLag(Scope scope, ChangesMode mode, long behind) {}

    /**
     * A store call took {@code duration}; {@code operation} is {@code apply}, {@code page}, {@code info} or {@code prune}.
     *
     * @param operation the store call: {@code apply}, {@code page}, {@code info} or {@code prune}
     * @param duration the wall-clock time the call took
     */
    public void storeLatency(String operation, Duration duration) {}

    /**
     * A PUSH was answered with an ACK {@code duration} after it was taken off the session's queue (validation, the
     * store's apply, the answer).
     *
     * @param scope the PUSH's scope
     * @param changes the number of changes in the PUSH
     * @param duration the wall-clock time from taking the PUSH to sending its ACK
     */
    public void pushAnswered(Scope scope, int changes, Duration duration) {}

    /**
     * A device's VERIFY was answered (docs/protocol.md 4): {@code kind} is {@code tables} (the scope's checksums),
     * {@code hashes} (row hashes of some buckets, a device looking for rows that differ) or {@code rows} (row states
     * a device asked for to repair its copy).
     *
     * @param scope the requesting session's scope
     * @param kind {@code tables}, {@code hashes} or {@code rows}
     * @param count tables, hashes or rows in the answer
     */
    public void checksumsServed(Scope scope, String kind, int count) {}
}
