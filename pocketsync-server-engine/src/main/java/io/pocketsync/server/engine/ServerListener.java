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

    /** A transport handed over a connection. */
    public void connected(String transport) {}

    /** A connection closed. */
    public void disconnected(String transport) {}

    /** A HELLO was accepted. */
    public void sessionOpened(Scope scope, String transport) {}

    /** A HELLO was refused (version, identifiers, credentials) or a message came before it. */
    public void sessionRefused(String transport, ErrorCode code) {}

    /** Changes of one PUSH were applied. */
    public void changesApplied(Scope scope, int count) {}

    /** Changes of one PUSH were duplicates. */
    public void changesDuplicate(Scope scope, int count) {}

    /** Changes of one PUSH lost their conflict. */
    public void changesSuperseded(Scope scope, int count) {}

    /** One change was rejected with {@code code}. */
    public void changeRejected(Scope scope, ErrorCode code) {}

    /** A message got an ERROR reply (the session may stay open). */
    public void errorSent(ErrorCode code) {}

    /** A committed batch was broadcast to {@code recipients} sessions of this node; {@code dropped} queues overflowed. */
    public void broadcast(Scope scope, int recipients, int dropped) {}

    /** A catch-up or snapshot page was sent. */
    public void catchUpPage(Scope scope, ChangesMode mode, int rows, long bytes) {}

    /**
     * A device pulled a catch-up or snapshot page while {@code behind} sequences behind its scope's head
     * (head minus the page's start); called once per page, before {@link #catchUpPage}.
     */
    public void catchUpLag(Scope scope, ChangesMode mode, long behind) {}

    /** A store call took {@code duration}; {@code operation} is {@code apply}, {@code page}, {@code info} or {@code prune}. */
    public void storeLatency(String operation, Duration duration) {}
}
