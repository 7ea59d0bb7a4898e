package io.pocketsync.server.engine.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Grant;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Issues HS256 JWTs of the shape {@link JwtAuthenticator} reads, for development and tests ({@code ./pocketsync token
 * --jwt}). Production tokens come from an identity provider; this is the shared-secret quick start.
 */
public final class JwtTokens {
    private JwtTokens() {}

    /**
     * Signs a token.
     *
     * @param secret the HS256 secret, at least 32 bytes
     * @param scopes scope name → grant, in the order given
     * @param device the device id the token is bound to; null for any device
     * @param audience the {@code aud}
     * @param issuer the {@code iss}; null for none
     * @param claim the claim the grants go in (normally {@link JwtAuthenticator#DEFAULT_CLAIM})
     * @param issuedAt the {@code iat} and {@code nbf}
     * @param expiresAt the {@code exp}
     * @return the compact serialization
     * @throws PocketSyncException {@code CONFIG_INVALID} for a secret shorter than 32 bytes or no scope
     */
    public static String issueHs256(byte[] secret, Map<String, Grant> scopes, @Nullable String device, String audience,
            @Nullable String issuer, String claim, Instant issuedAt, Instant expiresAt) {
        requireNonNull(secret, "secret is null");
        requireNonNull(scopes, "scopes is null");
        if (secret.length < JwtAuthenticatorProvider.MIN_SECRET_BYTES) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "an HS256 secret must have at least "
                    + JwtAuthenticatorProvider.MIN_SECRET_BYTES + " bytes");
        }
        if (scopes.isEmpty()) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "a token must grant at least one scope");
        }
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
                    claims(scopes, device, audience, issuer, claim, issuedAt, expiresAt));
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        }
        catch (JOSEException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "cannot sign the token: " + e.getMessage(), e);
        }
    }

    /**
     * The claims set {@link #issueHs256} signs; tests sign it with other keys.
     *
     * @param scopes scope name → grant
     * @param device the device id the token is bound to; null for any device
     * @param audience the {@code aud}
     * @param issuer the {@code iss}; null for none
     * @param claim the claim the grants go in
     * @param issuedAt the {@code iat} and {@code nbf}
     * @param expiresAt the {@code exp}
     * @return the claims
     */
    public static JWTClaimsSet claims(Map<String, Grant> scopes, @Nullable String device, String audience,
            @Nullable String issuer, String claim, Instant issuedAt, Instant expiresAt) {
        Map<String, Object> grants = new LinkedHashMap<>();
        Map<String, Object> scopeGrants = new LinkedHashMap<>();
        scopes.forEach((scope, grant) -> scopeGrants.put(scope, grant.shortForm()));
        grants.put("scopes", scopeGrants);
        if (device != null) {
            grants.put("device", device);
        }
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
                .subject(device == null ? "pocketsync-dev" : device)
                .audience(audience)
                .issueTime(Date.from(issuedAt))
                .notBeforeTime(Date.from(issuedAt))
                .expirationTime(Date.from(expiresAt))
                .jwtID(UUID.randomUUID().toString())
                .claim(claim, grants);
        if (issuer != null) {
            builder.issuer(issuer);
        }
        return builder.build();
    }

    /**
     * The secret {@code pocketsync token --jwt --secret-file} signs with: the first secret of a server's
     * {@code --jwt-secret-file}, which may hold several, one a line, while a secret rotates (docs/authentication.md).
     *
     * @param file the secret file
     * @return the first non-blank line's bytes, stripped
     * @throws io.pocketsync.api.PocketSyncException {@code CONFIG_INVALID} when it cannot be read or holds no secret
     */
    public static byte[] firstSecret(java.nio.file.Path file) {
        return SecretFileSource.firstSecret(file);
    }
}
