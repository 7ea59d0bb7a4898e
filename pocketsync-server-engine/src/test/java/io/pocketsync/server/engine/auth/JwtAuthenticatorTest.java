package io.pocketsync.server.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.auth.Credentials;
import io.pocketsync.api.auth.Grant;
import io.pocketsync.api.auth.Principal;
import io.pocketsync.core.discovery.Providers;
import io.pocketsync.server.engine.TestingPluginContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtAuthenticatorTest {
    private static final String SECRET = "a-shared-secret-of-at-least-32-bytes!";
    private static final String AUDIENCE = "pocketsync-test";
    private static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void hs256TokenGrantsItsScopesWithTheirGrants() {
        Authenticator auth = hs256();
        String token = JwtTokens.issueHs256(bytes(SECRET), grants("alice", Grant.READ_WRITE, "fleet-config", Grant.READ_ONLY),
                null, AUDIENCE, null, "pocketsync", NOW, NOW.plusSeconds(600));
        Principal alice = auth.authenticate(new Credentials("alice", "phone", token));
        assertThat(alice.grant()).isEqualTo(Grant.READ_WRITE);
        assertThat(alice.expiresAt()).isEqualTo(NOW.plusSeconds(600));
        assertThat(alice.deviceId()).isEqualTo("phone");
        Principal fleet = auth.authenticate(new Credentials("fleet-config", "laptop", token));
        assertThat(fleet.grant()).isEqualTo(Grant.READ_ONLY);
        assertThat(fleet.readOnly()).isTrue();
    }

    @Test
    void tokenForOneScopeDoesNotOpenAnother() {
        String token = hs256Token(grants("alice", Grant.READ_WRITE), null, AUDIENCE, NOW, NOW.plusSeconds(600));
        expectCode(() -> hs256().authenticate(new Credentials("bob", "phone", token)), ErrorCode.SCOPE_FORBIDDEN);
    }

    @Test
    void tokenBoundToADeviceServesThatDeviceOnly() {
        String token = hs256Token(grants("alice", Grant.READ_WRITE), "phone", AUDIENCE, NOW, NOW.plusSeconds(600));
        assertThat(hs256().authenticate(new Credentials("alice", "phone", token)).deviceId()).isEqualTo("phone");
        expectCode(() -> hs256().authenticate(new Credentials("alice", "laptop", token)), ErrorCode.AUTH_FAILED);
    }

    @Test
    void expiredNotYetValidAndWrongAudienceTokensAreRefused() {
        Authenticator auth = hs256();
        String expired = hs256Token(grants("alice", Grant.READ_WRITE), null, AUDIENCE, NOW.minusSeconds(900), NOW.minusSeconds(61));
        expectCode(() -> auth.authenticate(new Credentials("alice", "d", expired)), ErrorCode.TOKEN_EXPIRED);
        // exp has no skew (the session would end at once), an nbf a moment ahead is within the 60 s skew
        String justExpired = hs256Token(grants("alice", Grant.READ_WRITE), null, AUDIENCE, NOW.minusSeconds(900), NOW);
        expectCode(() -> auth.authenticate(new Credentials("alice", "d", justExpired)), ErrorCode.TOKEN_EXPIRED);
        String almostValid = hs256Token(grants("alice", Grant.READ_WRITE), null, AUDIENCE, NOW.plusSeconds(30), NOW.plusSeconds(900));
        assertThat(auth.authenticate(new Credentials("alice", "d", almostValid)).scope().name()).isEqualTo("alice");
        String notYet = hs256Token(grants("alice", Grant.READ_WRITE), null, AUDIENCE, NOW.plusSeconds(120), NOW.plusSeconds(900));
        expectCode(() -> auth.authenticate(new Credentials("alice", "d", notYet)), ErrorCode.AUTH_FAILED);
        String otherAudience = hs256Token(grants("alice", Grant.READ_WRITE), null, "another-api", NOW, NOW.plusSeconds(600));
        expectCode(() -> auth.authenticate(new Credentials("alice", "d", otherAudience)), ErrorCode.AUTH_FAILED);
    }

    @Test
    void tokenWithoutExpiryOrGrantClaimIsRefused() throws Exception {
        JWTClaimsSet noExpiry = new JWTClaimsSet.Builder().audience(AUDIENCE)
                .claim("pocketsync", Map.of("scopes", Map.of("alice", "rw"))).build();
        expectCode(() -> hs256().authenticate(new Credentials("alice", "d", sign(noExpiry, new MACSigner(bytes(SECRET)), JWSAlgorithm.HS256, null))),
                ErrorCode.AUTH_FAILED);
        JWTClaimsSet noClaim = new JWTClaimsSet.Builder().audience(AUDIENCE).expirationTime(java.util.Date.from(NOW.plusSeconds(60))).build();
        expectCode(() -> hs256().authenticate(new Credentials("alice", "d", sign(noClaim, new MACSigner(bytes(SECRET)), JWSAlgorithm.HS256, null))),
                ErrorCode.AUTH_FAILED);
        JWTClaimsSet badGrant = claims(Map.of("alice", "admin"));
        expectCode(() -> hs256().authenticate(new Credentials("alice", "d", sign(badGrant, new MACSigner(bytes(SECRET)), JWSAlgorithm.HS256, null))),
                ErrorCode.AUTH_FAILED);
    }

    @Test
    void wrongKeyUnsignedAndForgedTokensAreRefused() {
        Authenticator auth = hs256();
        String wrongKey = JwtTokens.issueHs256(bytes("another-secret-of-at-least-32-bytes!!"), grants("alice", Grant.READ_WRITE),
                null, AUDIENCE, null, "pocketsync", NOW, NOW.plusSeconds(600));
        expectCode(() -> auth.authenticate(new Credentials("alice", "d", wrongKey)), ErrorCode.AUTH_FAILED);

        String unsigned = new PlainJWT(JwtTokens.claims(grants("alice", Grant.READ_WRITE), null, AUDIENCE, null, "pocketsync",
                NOW, NOW.plusSeconds(600))).serialize();
        expectCode(() -> auth.authenticate(new Credentials("alice", "d", unsigned)), ErrorCode.AUTH_FAILED);

        // a read-only token whose payload is rewritten to read-write (and to another scope), the signature kept
        String readOnly = hs256Token(grants("alice", Grant.READ_ONLY), null, AUDIENCE, NOW, NOW.plusSeconds(600));
        String[] parts = readOnly.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertThat(payload).contains("\"alice\":\"r\"");
        String forgedPayload = payload.replace("\"alice\":\"r\"", "\"alice\":\"rw\",\"bob\":\"rw\"");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(forgedPayload)) + "." + parts[2];
        expectCode(() -> auth.authenticate(new Credentials("alice", "d", forged)), ErrorCode.AUTH_FAILED);
        expectCode(() -> auth.authenticate(new Credentials("bob", "d", forged)), ErrorCode.AUTH_FAILED);

        expectCode(() -> auth.authenticate(new Credentials("alice", "d", "not-a-jwt")), ErrorCode.AUTH_FAILED);
        expectCode(() -> auth.authenticate(new Credentials("alice", "d", "")), ErrorCode.AUTH_FAILED);
    }

    @Test
    void rs256AndEs256TokensVerifyAgainstTheJwksFile() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        Path jwks = writeJwks(rsa, ec);
        Authenticator auth = fromConfig(Map.of("jwks-file", jwks.toString(), "audience", AUDIENCE, "issuer", "https://idp.test/"));

        JWTClaimsSet claims = claimsWithIssuer("https://idp.test/", Map.of("alice", "rw"));
        String rs256 = sign(claims, new RSASSASigner(rsa), JWSAlgorithm.RS256, "rsa-1");
        String es256 = sign(claims, new ECDSASigner(ec), JWSAlgorithm.ES256, "ec-1");
        assertThat(auth.authenticate(new Credentials("alice", "d", rs256)).grant()).isEqualTo(Grant.READ_WRITE);
        assertThat(auth.authenticate(new Credentials("alice", "d", es256)).scope().name()).isEqualTo("alice");

        // an OAuth access token in the RFC 9068 profile (typ at+jwt) is a JWT too; another type is not
        SignedJWT accessToken = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(new JOSEObjectType("at+jwt")).keyID("rsa-1")
                .build(), claims);
        accessToken.sign(new RSASSASigner(rsa));
        assertThat(auth.authenticate(new Credentials("alice", "d", accessToken.serialize())).scope().name()).isEqualTo("alice");
        SignedJWT otherType = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(new JOSEObjectType("secevent+jwt"))
                .keyID("rsa-1").build(), claims);
        otherType.sign(new RSASSASigner(rsa));
        expectCode(() -> auth.authenticate(new Credentials("alice", "d", otherType.serialize())), ErrorCode.AUTH_FAILED);

        // another issuer, and a key the file does not hold, are refused
        String otherIssuer = sign(claimsWithIssuer("https://evil.test/", Map.of("alice", "rw")), new RSASSASigner(rsa), JWSAlgorithm.RS256, "rsa-1");
        expectCode(() -> auth.authenticate(new Credentials("alice", "d", otherIssuer)), ErrorCode.AUTH_FAILED);
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        String wrongKey = sign(claims, new RSASSASigner(stranger), JWSAlgorithm.RS256, "rsa-1");
        expectCode(() -> auth.authenticate(new Credentials("alice", "d", wrongKey)), ErrorCode.AUTH_FAILED);
        // an HS256 token "signed" with the public key as the secret (the classic algorithm confusion) is refused
        String confused = sign(claims, new MACSigner(rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, "rsa-1");
        expectCode(() -> auth.authenticate(new Credentials("alice", "d", confused)), ErrorCode.AUTH_FAILED);
    }

    @Test
    void keysRotateByRewritingTheJwksFileWithoutARestart() throws Exception {
        RSAKey oldKey = new RSAKeyGenerator(2048).keyID("2026-01").generate();
        RSAKey newKey = new RSAKeyGenerator(2048).keyID("2026-02").generate();
        Path jwks = writeJwks(oldKey);
        Authenticator auth = fromConfig(Map.of("jwks-file", jwks.toString(), "audience", AUDIENCE));
        JWTClaimsSet claims = claims(Map.of("alice", "rw"));
        String oldToken = sign(claims, new RSASSASigner(oldKey), JWSAlgorithm.RS256, "2026-01");
        String newToken = sign(claims, new RSASSASigner(newKey), JWSAlgorithm.RS256, "2026-02");
        assertThat(auth.authenticate(new Credentials("alice", "d", oldToken)).scope().name()).isEqualTo("alice");
        expectCode(() -> auth.authenticate(new Credentials("alice", "d", newToken)), ErrorCode.AUTH_FAILED);

        writeJwks(oldKey, newKey);   // overlap: both verify
        assertThat(auth.authenticate(new Credentials("alice", "d", newToken)).scope().name()).isEqualTo("alice");
        assertThat(auth.authenticate(new Credentials("alice", "d", oldToken)).scope().name()).isEqualTo("alice");

        writeJwks(newKey);           // the old key retired
        assertThat(auth.authenticate(new Credentials("alice", "d", newToken)).scope().name()).isEqualTo("alice");
        expectCode(() -> auth.authenticate(new Credentials("alice", "d", oldToken)), ErrorCode.AUTH_FAILED);

        Files.writeString(jwks, "{not json");  // a broken rewrite keeps the last good keys
        assertThat(auth.authenticate(new Credentials("alice", "d", newToken)).scope().name()).isEqualTo("alice");
    }

    @Test
    void keysRotateAtAJwksUrl() throws Exception {
        RSAKey oldKey = new RSAKeyGenerator(2048).keyID("k1").generate();
        RSAKey newKey = new RSAKeyGenerator(2048).keyID("k2").generate();
        AtomicReference<String> served = new AtomicReference<>(new JWKSet(oldKey).toPublicJWKSet().toString());
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/jwks.json", exchange -> {
            byte[] body = bytes(served.get());
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        try {
            String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/jwks.json";
            Authenticator auth = fromConfig(Map.of("jwks-url", url, "audience", AUDIENCE, "jwks-refresh", "10m"));
            JWTClaimsSet claims = claims(Map.of("alice", "r"));
            assertThat(auth.authenticate(new Credentials("alice", "d", sign(claims, new RSASSASigner(oldKey), JWSAlgorithm.RS256, "k1"))).grant())
                    .isEqualTo(Grant.READ_ONLY);
            served.set(new JWKSet(java.util.List.of((JWK) oldKey, newKey)).toPublicJWKSet().toString());
            // an unknown key id makes the cache fetch the set again long before jwks-refresh
            assertThat(auth.authenticate(new Credentials("alice", "d", sign(claims, new RSASSASigner(newKey), JWSAlgorithm.RS256, "k2"))).grant())
                    .isEqualTo(Grant.READ_ONLY);
        }
        finally {
            http.stop(0);
        }
    }

    @Test
    void configurationMistakesFailStartUp() throws Exception {
        expectCode(() -> fromConfig(Map.of("secret", SECRET)), ErrorCode.CONFIG_INVALID);                       // no audience
        expectCode(() -> fromConfig(Map.of("audience", AUDIENCE)), ErrorCode.CONFIG_INVALID);                    // no key source
        expectCode(() -> fromConfig(Map.of("secret", "short", "audience", AUDIENCE)), ErrorCode.CONFIG_INVALID);
        expectCode(() -> fromConfig(Map.of("secret", SECRET, "jwks-url", "https://x.test/jwks", "audience", AUDIENCE)),
                ErrorCode.CONFIG_INVALID);
        expectCode(() -> fromConfig(Map.of("jwks-url", "ftp://x.test/jwks", "audience", AUDIENCE)), ErrorCode.CONFIG_INVALID);
        expectCode(() -> fromConfig(Map.of("jwks-file", dir.resolve("missing.json").toString(), "audience", AUDIENCE)),
                ErrorCode.CONFIG_INVALID);
        expectCode(() -> fromConfig(Map.of("secret", SECRET, "audience", AUDIENCE, "audiense", "x")), ErrorCode.CONFIG_INVALID);
        Path secretFile = Files.writeString(dir.resolve("secret"), SECRET + "\n");
        Authenticator fromFile = fromConfig(Map.of("secret-file", secretFile.toString(), "audience", AUDIENCE, "scopes-claim", "https://example.com/ps"));
        String token = JwtTokens.issueHs256(bytes(SECRET), grants("alice", Grant.READ_WRITE), null, AUDIENCE, null,
                "https://example.com/ps", Instant.now(), Instant.now().plusSeconds(60));
        assertThat(fromFile.authenticate(new Credentials("alice", "d", token)).scope().name()).isEqualTo("alice");
        assertThat(fromFile.toString()).doesNotContain(SECRET);
    }

    private Authenticator hs256() {
        return new JwtAuthenticator(new com.nimbusds.jose.jwk.source.ImmutableSecret<>(bytes(SECRET)), JwtAuthenticator.SECRET_ALGORITHMS,
                AUDIENCE, null, "pocketsync", java.time.Duration.ofSeconds(60), CLOCK);
    }

    private static Authenticator fromConfig(Map<String, String> keys) {
        return Providers.authenticators().get("jwt").create(PluginConfig.of("auth.jwt", keys), new TestingPluginContext());
    }

    private static String hs256Token(Map<String, Grant> scopes, String device, String audience, Instant from, Instant until) {
        return JwtTokens.issueHs256(bytes(SECRET), scopes, device, audience, null, "pocketsync", from, until);
    }

    /** Claims valid for the real clock (the provider-made authenticators use it). */
    private static JWTClaimsSet claims(Map<String, String> scopes) {
        return claimsWithIssuer(null, scopes);
    }

    private static JWTClaimsSet claimsWithIssuer(String issuer, Map<String, String> scopes) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().audience(AUDIENCE).subject("user-1")
                .expirationTime(java.util.Date.from(now.plusSeconds(600))).notBeforeTime(java.util.Date.from(now.minusSeconds(5)))
                .claim("pocketsync", Map.of("scopes", new HashMap<>(scopes)));
        if (issuer != null) {
            builder.issuer(issuer);
        }
        return builder.build();
    }

    private static String sign(JWTClaimsSet claims, JWSSigner signer, JWSAlgorithm algorithm, String keyId) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).keyID(keyId).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private Path writeJwks(JWK... keys) throws Exception {
        Path file = dir.resolve("jwks.json");
        Path temp = dir.resolve("jwks.json.tmp");
        Files.writeString(temp, new JWKSet(java.util.List.of(keys)).toPublicJWKSet().toString());
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private static Map<String, Grant> grants(Object... pairs) {
        Map<String, Grant> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (Grant) pairs[i + 1]);
        }
        return map;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void expectCode(ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOf(PocketSyncException.class)
                .extracting(e -> ((PocketSyncException) e).code()).isEqualTo(code);
    }
}
