package io.pocketsync.server.engine.auth;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.auth.Credentials;
import io.pocketsync.api.auth.Principal;
import io.pocketsync.api.model.Scope;
import java.time.Clock;
import java.time.Instant;

/**
 * Accepts tokens signed with a server secret (format in {@link HmacTokens}), so tokens can be issued
 * without the server storing them. The signature is checked first, in constant time; then the expiry
 * ({@code TOKEN_EXPIRED}), the scope ({@code SCOPE_FORBIDDEN} when the token is for another scope) and
 * the device ({@code AUTH_FAILED} when the token names another device). These codes are for the server's log: the
 * engine answers every refusal {@code AUTH_FAILED}. The granted principal expires with the token, which ends its
 * session.
 *
 * <p>Config ({@code auth.hmac}): {@code secret} (at least 16 bytes of UTF-8; never logged).
 * Immutable and thread-safe.
 */
public final class HmacTokenAuthenticator implements Authenticator {
    private final byte[] secret;
    private final Clock clock;

    /**
     * Accepts tokens {@link HmacTokens#issue} signed with {@code secret}.
     *
     * @param secret the server secret tokens are signed with, at least 16 bytes; copied
     * @param clock decides whether a token has expired
     */
    public HmacTokenAuthenticator(byte[] secret, Clock clock) {
        HmacTokens.checkSecret(secret);
        this.secret = secret.clone();
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        requireNonNull(credentials, "credentials is null");
        HmacTokens.Claims claims = HmacTokens.verify(secret, credentials.token());
        if (clock.instant().getEpochSecond() >= claims.expiryEpochSeconds()) {
            throw new PocketSyncException(ErrorCode.TOKEN_EXPIRED, "token expired");
        }
        if (!claims.scope().equals(credentials.scope())) {
            throw new PocketSyncException(ErrorCode.SCOPE_FORBIDDEN, "token does not grant scope " + credentials.scope());
        }
        if (!HmacTokens.ANY_DEVICE.equals(claims.device()) && !claims.device().equals(credentials.deviceId())) {
            throw new PocketSyncException(ErrorCode.AUTH_FAILED, "token is for another device");
        }
        // the session ends when the token does: the engine closes it with TOKEN_EXPIRED then
        return new Principal(Scope.of(claims.scope()), credentials.deviceId(), Instant.ofEpochSecond(claims.expiryEpochSeconds()));
    }

    @Override
    public String toString() {
        return "HmacTokenAuthenticator";
    }
}
