package io.pocketsync.server.engine.auth;

import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.auth.AuthenticatorProvider;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Registers {@link JwtAuthenticator} as {@code jwt}. Keys (under {@code auth.jwt}):
 * <ul>
 *   <li>exactly one key source: {@code secret-file} (HS256 secrets of at least 32 bytes, one a line, all accepted; the
 *       file is looked at every {@code secret-check}, default 5s, and when a token fails to verify, and read again when
 *       it changed: {@link SecretFileSource}) or {@code secret} (one HS256 secret), {@code jwks-file}
 *       (re-read when it changes) or {@code jwks-url} (cached for {@code jwks-refresh}, default 5m, and fetched
 *       again early when a token names an unknown key id);</li>
 *   <li>{@code audience} (required), {@code issuer} (optional), {@code scopes-claim} (default {@code pocketsync}),
 *       {@code clock-skew} (default 60s).</li>
 * </ul>
 */
public final class JwtAuthenticatorProvider implements AuthenticatorProvider {
    /** How often the secret file's time and size are looked at, at most, while tokens verify ({@code secret-check}). */
    static final Duration SECRET_FILE_CHECK = Duration.ofSeconds(5);
    /** The shortest HS256 secret: RFC 7518 asks for a key as long as the hash. */
    static final int MIN_SECRET_BYTES = 32;

    @Override
    public String name() {
        return "jwt";
    }

    @Override
    public Authenticator create(PluginConfig config, PluginContext context) {
        config.validateKeys(Set.of("secret", "secret-file", "secret-check", "jwks-file", "jwks-url", "jwks-refresh", "audience", "issuer",
                "scopes-claim", "clock-skew"));
        String prefix = config.namespace().isEmpty() ? "" : config.namespace() + ".";
        Map<String, String> sources = Set.of("secret", "secret-file", "jwks-file", "jwks-url").stream()
                .filter(key -> config.get(key).filter(value -> !value.isBlank()).isPresent())
                .collect(Collectors.toMap(key -> key, key -> config.get(key).orElseThrow().strip()));
        if (sources.size() != 1) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "give exactly one of '" + prefix + "secret-file', '" + prefix
                    + "secret', '" + prefix + "jwks-file' and '" + prefix + "jwks-url'");
        }
        String audience = config.get("audience").filter(value -> !value.isBlank()).orElseThrow(() -> new PocketSyncException(
                ErrorCode.CONFIG_INVALID, "'" + prefix + "audience' is required: the aud every token must name"));
        Optional<String> issuer = config.get("issuer").filter(value -> !value.isBlank());
        String claim = config.getString("scopes-claim", JwtAuthenticator.DEFAULT_CLAIM);
        Duration skew = config.getDuration("clock-skew", Duration.ofSeconds(60));
        Duration refresh = config.getDuration("jwks-refresh", Duration.ofMinutes(5));
        Duration secretCheck = config.getDuration("secret-check", SECRET_FILE_CHECK);
        if (skew.isNegative() || refresh.isNegative() || refresh.isZero() || secretCheck.isNegative()) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "'" + prefix + "clock-skew' and '" + prefix + "secret-check'"
                    + " must not be negative and '" + prefix + "jwks-refresh' must be positive");
        }
        String key = sources.keySet().iterator().next();
        String value = sources.get(key);
        JWKSource<SecurityContext> keys;
        boolean secret = key.startsWith("secret");
        switch (key) {
            case "secret-file" -> keys = new SecretFileSource(Path.of(value), context.clock(), secretCheck);
            case "secret" -> keys = secret(value.getBytes(StandardCharsets.UTF_8), prefix + key);
            case "jwks-file" -> keys = new JwksFileSource(Path.of(value));
            default -> keys = JWKSourceBuilder.create(url(value, prefix + key))
                    .cache(refresh.toMillis(), Math.min(refresh.toMillis(), 15_000))
                    .build();
        }
        return new JwtAuthenticator(keys, secret ? JwtAuthenticator.SECRET_ALGORITHMS : JwtAuthenticator.PUBLIC_KEY_ALGORITHMS,
                audience, issuer.orElse(null), claim, skew, context.clock());
    }

    private static JWKSource<SecurityContext> secret(byte[] bytes, String key) {
        if (bytes.length < MIN_SECRET_BYTES) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "'" + key + "' must hold at least " + MIN_SECRET_BYTES
                    + " bytes for HS256");
        }
        return new ImmutableSecret<>(bytes);
    }

    private static URL url(String value, String key) {
        try {
            URI uri = URI.create(value);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                throw new IllegalArgumentException("not http(s)");
            }
            return uri.toURL();
        }
        catch (IllegalArgumentException | MalformedURLException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "'" + key + "' must be an http(s) URL: " + value);
        }
    }
}
