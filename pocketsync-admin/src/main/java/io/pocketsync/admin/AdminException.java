package io.pocketsync.admin;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;

/**
 * A request the admin API refuses: answered with {@code status} and the body
 * {@code {"error":{"code":"<code>","message":"<message>"}}}. The message says what was wrong, never a secret.
 */
final class AdminException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final ErrorCode code;

    AdminException(int status, ErrorCode code, String message) {
        super(requireNonNull(message, "message is null"));
        this.status = status;
        this.code = requireNonNull(code, "code is null");
    }

    static AdminException badRequest(ErrorCode code, String message) {
        return new AdminException(400, code, message);
    }

    static AdminException notFound(String message) {
        return new AdminException(404, ErrorCode.NOT_FOUND, message);
    }

    int status() {
        return status;
    }

    ErrorCode code() {
        return code;
    }
}
