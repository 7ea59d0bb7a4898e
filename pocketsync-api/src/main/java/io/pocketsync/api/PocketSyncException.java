package io.pocketsync.api;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * The one exception type PocketSync throws across its API and SPI. It always carries an
 * {@link ErrorCode}, which is what the protocol sends, the logs print and the docs explain.
 *
 * <p>Messages never contain secrets (tokens, passwords): they are safe to log and to send to a peer.
 */
public class PocketSyncException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The error code; part of the serialized form. */
    private final ErrorCode code;

    /**
     * An exception without a cause.
     *
     * @param code the error code; not null
     * @param message what went wrong; no secrets
     */
    public PocketSyncException(ErrorCode code, String message) {
        super(message);
        this.code = requireNonNull(code, "code is null");
    }

    /**
     * An exception with its cause.
     *
     * @param code the error code; not null
     * @param message what went wrong; no secrets
     * @param cause the underlying failure; may be null
     */
    public PocketSyncException(ErrorCode code, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.code = requireNonNull(code, "code is null");
    }

    /**
     * The error code; never null.
     *
     * @return the code the protocol sends for this error
     */
    public ErrorCode code() {
        return code;
    }

    @Override
    public String toString() {
        return "PocketSyncException[" + code + "]: " + getMessage();
    }
}
