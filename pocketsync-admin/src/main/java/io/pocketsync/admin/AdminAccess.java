package io.pocketsync.admin;

import io.pocketsync.api.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.jspecify.annotations.Nullable;

/**
 * Checks the admin token of a request ({@code Authorization: Bearer <token>}). Compares SHA-256 digests in constant time,
 * so neither the token's content nor its length shows in the answer's timing; a refusal never echoes what was sent.
 */
final class AdminAccess {
    private static final String BEARER = "Bearer ";

    private final byte[] expected;

    AdminAccess(String token) {
        this.expected = digest(token);
    }

    /** @throws AdminException 401 {@code AUTH_FAILED} when the header is missing or holds another token */
    void check(@Nullable String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new AdminException(401, ErrorCode.AUTH_FAILED, "send the admin token: Authorization: Bearer <token>");
        }
        if (!MessageDigest.isEqual(expected, digest(authorization.substring(BEARER.length()).trim()))) {
            throw new AdminException(401, ErrorCode.AUTH_FAILED, "wrong admin token");
        }
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
