package io.pocketsync.api.protocol;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import org.jspecify.annotations.Nullable;

/**
 * Either direction: something went wrong. After an ERROR for HELLO, for a malformed or oversized
 * message the sender closes the connection; other errors (e.g. a PUSH that failed with
 * STORE_UNAVAILABLE, which the device retries) leave the session open.
 *
 * @param protocolVersion protocol version
 * @param code the error code
 * @param message a human-readable explanation, free of secrets
 * @param refId the batch id the error is about, if any; may be null
 */
public record ErrorMessage(int protocolVersion, ErrorCode code, String message, @Nullable String refId) implements Message {
    /**
     * Validates the message.
     *
     * @param protocolVersion protocol version
     * @param code the error code
     * @param message a human-readable explanation, free of secrets
     * @param refId the batch id the error is about, if any; may be null
     */
    public ErrorMessage {
        requireNonNull(code, "code is null");
        requireNonNull(message, "message is null");
    }

    @Override
    public MessageType type() {
        return MessageType.ERROR;
    }
}
