package io.pocketsync.server.engine.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.auth.Credentials;
import io.pocketsync.api.auth.Grant;
import io.pocketsync.api.auth.Principal;
import io.pocketsync.api.model.Scope;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Accepts JSON Web Tokens (RFC 7519) signed by a key the server trusts: an HS256 shared secret, or RS256/ES256 (and
 * their 384/512 and PS siblings) public keys from a JWKS file or URL. Signatures are checked by nimbus-jose-jwt;
 * unsigned ({@code alg: none}) tokens, tokens of another algorithm than the key's and tokens signed with an unknown
 * key are {@code AUTH_FAILED}.
 *
 * <p>Then the claims, against this authenticator's clock: {@code exp} is required and a passed one is
 * {@code TOKEN_EXPIRED} (no skew: the session ends at {@code exp}); an {@code nbf} further ahead than the tolerated skew
 * is {@code AUTH_FAILED}; {@code aud} must contain the configured
 * audience; {@code iss} must equal the configured issuer when one is configured. The grants come from one claim
 * (default {@code pocketsync}):
 *
 * <pre>{@code
 * "pocketsync": {"scopes": {"alice": "rw", "fleet-config": "r"}, "device": "phone-1"}
 * }</pre>
 *
 * <p>The scope asked for in HELLO must be a key of {@code scopes} ({@code SCOPE_FORBIDDEN} otherwise) and its value
 * gives the grant ({@code r} read-only, {@code rw} read-write). {@code device}, when present, binds the token to that
 * device id ({@code AUTH_FAILED} for another); without it the token serves any device id, which suits tokens an
 * identity provider issues to a user for all of their installs. The codes are for the server's log: the engine
 * answers every refusal {@code AUTH_FAILED}. The principal expires with the token, which ends its session.
 *
 * <p>Thread-safe.
 */
public final class JwtAuthenticator implements Authenticator {
    /** The HMAC algorithm accepted with a shared secret. */
    static final Set<JWSAlgorithm> SECRET_ALGORITHMS = Set.of(JWSAlgorithm.HS256);
    /** The public-key algorithms accepted with a JWKS. */
    static final Set<JWSAlgorithm> PUBLIC_KEY_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    /** The claim the grants are read from unless configured otherwise. */
    public static final String DEFAULT_CLAIM = "pocketsync";

    private final JWKSource<SecurityContext> keys;
    private final DefaultJWTProcessor<SecurityContext> processor;
    private final String audience;
    private final @Nullable String issuer;
    private final String claim;
    private final Duration skew;
    private final Clock clock;

    /**
     * @param keys where verification keys come from (a secret, a JWKS file or URL)
     * @param algorithms the algorithms accepted with those keys
     * @param audience the audience every token must name in {@code aud}
     * @param issuer the issuer every token must name in {@code iss}; null to accept any
     * @param claim the claim holding {@code scopes} and {@code device}
     * @param skew how far ahead of this clock an {@code nbf} may be
     * @param clock the server's clock
     */
    public JwtAuthenticator(JWKSource<SecurityContext> keys, Set<JWSAlgorithm> algorithms, String audience,
            @Nullable String issuer, String claim, Duration skew, Clock clock) {
        this.keys = requireNonNull(keys, "keys is null");
        requireNonNull(algorithms, "algorithms is null");
        this.audience = requireNonNull(audience, "audience is null");
        this.issuer = issuer;
        this.claim = requireNonNull(claim, "claim is null");
        this.skew = requireNonNull(skew, "skew is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        // plain JWTs, and OAuth access tokens in the RFC 9068 profile (typ at+jwt) that some identity providers issue
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
        // the claims are checked below, against this authenticator's clock, so that each refusal names its reason
        processor.setJWTClaimsSetVerifier((claims, context) -> { });
    }

    /**
     * The token's claims once its signature verifies; a token a secret file's secrets do not verify is tried again once
     * when the file changed meanwhile (the issuer may sign with a secret just added, {@link SecretFileSource}).
     */
    private JWTClaimsSet verify(String token) throws ParseException, BadJOSEException, JOSEException {
        try {
            return processor.process(token, null);
        }
        catch (BadJOSEException e) {
            if (keys instanceof SecretFileSource file && file.reload()) {
                return processor.process(token, null);
            }
            throw e;
        }
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        requireNonNull(credentials, "credentials is null");
        JWTClaimsSet claims;
        try {
            claims = verify(credentials.token());
        }
        catch (ParseException | BadJOSEException | JOSEException e) {
            // nimbus's messages name the failure (bad signature, no matching key, unsecured JWT), never the token
            throw new PocketSyncException(ErrorCode.AUTH_FAILED, "JWT refused: " + e.getMessage());
        }
        catch (RuntimeException e) {
            // input nimbus did not expect: still the device's failure; the type only, the message could quote the token
            throw new PocketSyncException(ErrorCode.AUTH_FAILED, "JWT refused: " + e.getClass().getSimpleName());
        }
        Instant now = clock.instant();
        Date expiry = claims.getExpirationTime();
        if (expiry == null) {
            throw new PocketSyncException(ErrorCode.AUTH_FAILED, "JWT without exp");
        }
        // no skew on exp: the engine ends the session at exp, so a token let in past it would be closed at once
        if (!now.isBefore(expiry.toInstant())) {
            throw new PocketSyncException(ErrorCode.TOKEN_EXPIRED, "JWT expired at " + expiry.toInstant());
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && notBefore.toInstant().isAfter(now.plus(skew))) {
            throw new PocketSyncException(ErrorCode.AUTH_FAILED, "JWT not valid before " + notBefore.toInstant());
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(audience)) {
            throw new PocketSyncException(ErrorCode.AUTH_FAILED, "JWT for another audience: " + claims.getAudience());
        }
        if (issuer != null && !issuer.equals(claims.getIssuer())) {
            throw new PocketSyncException(ErrorCode.AUTH_FAILED, "JWT from another issuer: " + claims.getIssuer());
        }
        Map<String, Object> grants = grantClaim(claims);
        Object device = grants.get("device");
        if (device != null && !device.equals(credentials.deviceId())) {
            throw new PocketSyncException(ErrorCode.AUTH_FAILED, "JWT is for another device");
        }
        Grant grant = scopeGrant(grants, credentials.scope())
                .orElseThrow(() -> new PocketSyncException(ErrorCode.SCOPE_FORBIDDEN, "JWT does not grant scope " + credentials.scope()));
        // the session ends when the token does: the engine closes it with TOKEN_EXPIRED then
        return new Principal(Scope.of(credentials.scope()), credentials.deviceId(), expiry.toInstant(), grant);
    }

    private Map<String, Object> grantClaim(JWTClaimsSet claims) {
        try {
            Map<String, Object> grants = claims.getJSONObjectClaim(claim);
            if (grants == null) {
                throw new PocketSyncException(ErrorCode.AUTH_FAILED, "JWT without the '" + claim + "' claim");
            }
            return grants;
        }
        catch (ParseException e) {
            throw new PocketSyncException(ErrorCode.AUTH_FAILED, "JWT claim '" + claim + "' is not an object");
        }
    }

    private Optional<Grant> scopeGrant(Map<String, Object> grants, String scope) {
        if (!(grants.get("scopes") instanceof Map<?, ?> scopes)) {
            throw new PocketSyncException(ErrorCode.AUTH_FAILED, "JWT claim '" + claim + ".scopes' is not an object");
        }
        Object value = scopes.get(scope);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Grant.parse(String.valueOf(value)));
        }
        catch (IllegalArgumentException e) {
            throw new PocketSyncException(ErrorCode.AUTH_FAILED, "JWT grants scope " + scope + " neither r nor rw");
        }
    }

    @Override
    public String toString() {
        return "JwtAuthenticator[audience=" + audience + ", claim=" + claim + "]";
    }
}
