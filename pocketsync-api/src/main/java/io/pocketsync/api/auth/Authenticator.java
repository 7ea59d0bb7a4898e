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
     * @return the granted principal; its {@link Principal#expiresAt()} ends the session when the credentials expire
     * @throws io.pocketsync.api.PocketSyncException with {@code AUTH_FAILED}, {@code TOKEN_EXPIRED} or
     *         {@code SCOPE_FORBIDDEN}; the message never contains the token. The code and message reach the server's
     *         log only: the device is answered {@code AUTH_FAILED} whatever the refusal, so that the answer tells a
     *         guesser nothing
     */
    Principal authenticate(Credentials credentials);
}
