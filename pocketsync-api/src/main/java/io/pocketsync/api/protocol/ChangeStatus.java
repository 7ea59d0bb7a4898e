package io.pocketsync.api.protocol;

/** What the server did with one pushed change. */
public enum ChangeStatus {
    /** Stored and now the row's state; broadcast to the scope's other devices. */
    APPLIED,
    /** Already stored earlier (a re-sent change); nothing changed. */
    DUPLICATE,
    /** Lost its conflict: the result carries the winning row so the device converges. */
    SUPERSEDED,
    /** Refused (invalid, clock skew, resolver refusal); the result carries the code. Not retried. */
    REJECTED
}
