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

    private final ErrorCode code;

    public PocketSyncException(ErrorCode code, String message) {
        super(message);
        this.code = requireNonNull(code, "code is null");
    }

    public PocketSyncException(ErrorCode code, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.code = requireNonNull(code, "code is null");
    }

    /** The error code; never null. */
    public ErrorCode code() {
        return code;
    }

    @Override
    public String toString() {
        return "PocketSyncException[" + code + "]: " + getMessage();
    }
}
