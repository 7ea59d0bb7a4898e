package io.pocketsync.api.auth;

/**
 * Turns a device's credentials into a {@link Principal}. Built-ins: {@code static-token}
 * ({@code scope:token} pairs), {@code hmac} (HMAC-SHA256 signed tokens) and {@code anonymous}
 * (only when explicitly configured).
 *
 * <p>Implementations compare secrets in constant time, never log tokens, and are thread-safe.
 */
public interface Authenticator {
    /**
     * Authenticates a device.
     *
     * @param credentials the scope, device id and token from HELLO
     * @return the granted principal
     * @throws io.pocketsync.api.PocketSyncException with {@code AUTH_FAILED}, {@code TOKEN_EXPIRED} or
     *         {@code SCOPE_FORBIDDEN}; the message never contains the token
     */
    Principal authenticate(Credentials credentials);
}
