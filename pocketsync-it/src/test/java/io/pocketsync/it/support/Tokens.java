package io.pocketsync.it.support;

import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.server.engine.auth.HmacTokenAuthenticator;
import io.pocketsync.server.engine.auth.HmacTokens;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** An HMAC token authority of one test: the server's authenticator and the tokens it accepts. Immutable. */
public final class Tokens {
    private final byte[] secret;

    public Tokens() {
        this.secret = ("it-secret-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    }

    public Authenticator authenticator() {
        return new HmacTokenAuthenticator(secret, Clock.systemUTC());
    }

    /** A token for any device of {@code scope}, valid for an hour. */
    public String forScope(String scope) {
        return HmacTokens.issue(secret, scope, "*", Instant.now().plus(Duration.ofHours(1)));
    }

    /** A correctly signed token of {@code scope} that expired {@code ago}. */
    public String expired(String scope, Duration ago) {
        return HmacTokens.issue(secret, scope, "*", Instant.now().minus(ago));
    }
}
