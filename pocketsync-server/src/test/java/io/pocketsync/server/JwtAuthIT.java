package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.SyncStatusListener;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JWTs against {@code pocketsync server} with its keys in a JWKS file (issue #20, 4), over WebSocket and over MQTT: a valid
 * RS256 or ES256 token syncs; an expired one, one for another audience, one signed by a key the server does not trust,
 * one for another scope and one whose claim was rewritten are all refused (AUTH_FAILED to the device) and sync nothing;
 * a key added by rewriting the JWKS file is trusted without a restart, and the key it replaced no longer is. An HS256
 * secret rotates the same way through a secret file of several secrets, one a line.
 */
class JwtAuthIT {
    private static final String MQTT = Optional.ofNullable(System.getenv("PS_MQTT_URI")).orElse("tcp://127.0.0.1:1883");
    private static final String AUDIENCE = "pocketsync-jwt-it";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void jwtsFromAJwksFileAreVerifiedOnBothTransportsAndKeysRotateWithoutARestart() throws Exception {
        String scope = "jwt-" + UUID.randomUUID();
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        RSAKey next = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
        Path jwks = dir.resolve("jwks.json");
        writeJwks(jwks, rsa, ec);

        Map<String, String> refusedTokens = new java.util.LinkedHashMap<>();
        refusedTokens.put("expired", sign(rsa, JWSAlgorithm.RS256, claims(Map.of(scope, "rw"), AUDIENCE, Instant.now().minusSeconds(3600),
                Instant.now().minusSeconds(600))));
        refusedTokens.put("audience", sign(rsa, JWSAlgorithm.RS256, claims(Map.of(scope, "rw"), "another-api", Instant.now(),
                Instant.now().plusSeconds(3600))));
        refusedTokens.put("stranger", sign(stranger, JWSAlgorithm.RS256, valid(scope)));
        refusedTokens.put("other-scope", sign(rsa, JWSAlgorithm.RS256, valid("other-" + scope)));
        refusedTokens.put("forged", forge(sign(rsa, JWSAlgorithm.RS256, valid("other-" + scope)), "other-" + scope, scope));
        refusedTokens.put("next-key-too-early", sign(next, JWSAlgorithm.RS256, valid(scope)));

        List<PocketSyncDevice> devices = new ArrayList<>();
        try (ServerRuntime server = ServerRuntime.start(ServerSettings.of(Map.of(
                ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(),
                ServerSettings.MQTT_URI, MQTT,
                ServerSettings.JWKS_FILE, jwks.toString(),
                ServerSettings.JWT_AUDIENCE, AUDIENCE)))) {
            Map<String, URI> transports = Map.of("websocket", server.webSocketUri(), "mqtt", URI.create(MQTT));
            Map<String, Path> valid = new java.util.LinkedHashMap<>();
            Map<String, Recorder> refused = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, URI> transport : transports.entrySet()) {
                String name = transport.getKey();
                // RS256 over one transport's first device, ES256 over its second
                Path rs = create(name + "-rs256");
                Path es = create(name + "-es256");
                devices.add(start(rs, transport, scope, sign(rsa, JWSAlgorithm.RS256, valid(scope)), new Recorder()));
                devices.add(start(es, transport, scope, sign(ec, JWSAlgorithm.ES256, valid(scope)), new Recorder()));
                valid.put(name + "-rs256", rs);
                valid.put(name + "-es256", es);
                for (Map.Entry<String, String> bad : refusedTokens.entrySet()) {
                    Recorder recorder = new Recorder();
                    Path db = create(name + "-" + bad.getKey());
                    devices.add(start(db, transport, scope, bad.getValue(), recorder));
                    refused.put(name + "-" + bad.getKey(), recorder);
                    TestDatabases.execute(db, "INSERT INTO todo (id, title) VALUES ('" + bad.getKey() + "', 'must not sync')");
                }
            }

            TestDatabases.execute(valid.get("websocket-rs256"), "INSERT INTO todo (id, title) VALUES ('ws', 'from websocket')");
            TestDatabases.execute(valid.get("mqtt-es256"), "INSERT INTO todo (id, title) VALUES ('mq', 'from mqtt')");
            for (Path db : valid.values()) {
                await().atMost(PATIENCE).until(() -> "from websocket".equals(TestDatabases.title(db, "ws"))
                        && "from mqtt".equals(TestDatabases.title(db, "mq")));
            }
            for (Map.Entry<String, Recorder> recorder : refused.entrySet()) {
                await(recorder.getKey()).atMost(PATIENCE).until(() -> recorder.getValue().errors.contains(ErrorCode.AUTH_FAILED));
                assertThat(recorder.getValue().connects.get()).as(recorder.getKey()).isZero();
            }
            for (String bad : refusedTokens.keySet()) {
                for (Path db : valid.values()) {
                    assertThat(TestDatabases.title(db, bad)).as(bad).isNull();
                }
            }

            // rotation: the file now trusts the next key and no longer the first, and the running server follows
            writeJwks(jwks, next, ec);
            Recorder rotated = new Recorder();
            Path rotatedDb = create("rotated");
            devices.add(start(rotatedDb, Map.entry("websocket", server.webSocketUri()), scope, sign(next, JWSAlgorithm.RS256, valid(scope)),
                    rotated));
            Recorder retired = new Recorder();
            Path retiredDb = create("retired");
            devices.add(start(retiredDb, Map.entry("mqtt", URI.create(MQTT)), scope, sign(rsa, JWSAlgorithm.RS256, valid(scope)), retired));
            await().atMost(PATIENCE).until(() -> "from websocket".equals(TestDatabases.title(rotatedDb, "ws")));
            await().atMost(PATIENCE).until(() -> retired.errors.contains(ErrorCode.AUTH_FAILED));
            assertThat(retired.connects.get()).isZero();
            assertThat(TestDatabases.title(retiredDb, "ws")).isNull();
        }
        finally {
            for (PocketSyncDevice device : devices) {
                device.close();
            }
        }
    }

    @Test
    void anHs256SecretRotatesOnARunningServer() throws Exception {
        String scope = "jwt-hs-" + UUID.randomUUID();
        String old = "the-old-hs256-secret-of-32-bytes-or-more";
        String next = "the-new-hs256-secret-of-32-bytes-or-more";
        Path secretFile = dir.resolve("jwt.secret");
        writeSecrets(secretFile, old);
        List<PocketSyncDevice> devices = new ArrayList<>();
        try (ServerRuntime server = ServerRuntime.start(ServerSettings.of(Map.of(
                ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server-hs.db").toString(),
                ServerSettings.JWT_SECRET_FILE, secretFile.toString(),
                "auth.jwt.secret-check", "1h",
                ServerSettings.JWT_AUDIENCE, AUDIENCE)))) {
            Map.Entry<String, URI> websocket = Map.entry("websocket", server.webSocketUri());
            Path first = create("hs-old");
            devices.add(start(first, websocket, scope, hs256(old, scope), new Recorder()));
            TestDatabases.execute(first, "INSERT INTO todo (id, title) VALUES ('a', 'signed with the old secret')");

            // 1. the new secret added beside the old one: a token signed with it is let in at once, the old ones still are
            writeSecrets(secretFile, old, next);
            Path second = create("hs-new");
            devices.add(start(second, websocket, scope, hs256(next, scope), new Recorder()));
            await().atMost(PATIENCE).until(() -> "signed with the old secret".equals(TestDatabases.title(second, "a")));
            TestDatabases.execute(second, "INSERT INTO todo (id, title) VALUES ('b', 'signed with the new secret')");
            await().atMost(PATIENCE).until(() -> "signed with the new secret".equals(TestDatabases.title(first, "b")));

            // 2. the old secret removed: a new login with it is refused, without a restart. A token of a secret the server
            //    never had fails first, which makes it look at the file at once (else within auth.jwt.secret-check)
            writeSecrets(secretFile, next);
            Recorder stranger = new Recorder();
            devices.add(start(create("hs-stranger"), websocket, scope, hs256("a-secret-this-server-never-had-32-bytes", scope),
                    stranger));
            await().atMost(PATIENCE).until(() -> stranger.errors.contains(ErrorCode.AUTH_FAILED));
            Path third = create("hs-retired");
            Recorder refused = new Recorder();
            devices.add(start(third, websocket, scope, hs256(old, scope), refused));
            await().atMost(PATIENCE).until(() -> refused.errors.contains(ErrorCode.AUTH_FAILED));
            assertThat(refused.connects.get()).isZero();
            assertThat(TestDatabases.title(third, "a")).isNull();
        }
        finally {
            for (PocketSyncDevice device : devices) {
                device.close();
            }
        }
    }

    private static String hs256(String secret, String scope) {
        Instant now = Instant.now();
        return io.pocketsync.server.engine.auth.JwtTokens.issueHs256(secret.getBytes(StandardCharsets.UTF_8),
                Map.of(scope, io.pocketsync.api.auth.Grant.READ_WRITE), null, AUDIENCE, null, "pocketsync", now.minusSeconds(5),
                now.plusSeconds(3600));
    }

    private static void writeSecrets(Path file, String... secrets) throws Exception {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, String.join("\n", secrets) + "\n");
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private PocketSyncDevice start(Path db, Map.Entry<String, URI> transport, String scope, String token, Recorder recorder) {
        PocketSyncDevice device = PocketSyncDevice.builder().database(db).tables("todo").server(transport.getValue()).scope(scope)
                .token(token).transport(transport.getKey()).statusListener(recorder).build();
        device.start();
        return device;
    }

    private Path create(String name) throws Exception {
        Path db = dir.resolve(name + ".db");
        TestDatabases.createTodo(db);
        return db;
    }

    private static JWTClaimsSet valid(String scope) {
        return claims(Map.of(scope, "rw"), AUDIENCE, Instant.now().minusSeconds(5), Instant.now().plusSeconds(3600));
    }

    private static JWTClaimsSet claims(Map<String, String> scopes, String audience, Instant from, Instant until) {
        return new JWTClaimsSet.Builder().subject("user-1").audience(audience).issueTime(Date.from(from))
                .notBeforeTime(Date.from(from)).expirationTime(Date.from(until))
                .claim("pocketsync", Map.of("scopes", scopes)).build();
    }

    private static String sign(JWK key, JWSAlgorithm algorithm, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).keyID(key.getKeyID()).build(), claims);
        jwt.sign(key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key));
        return jwt.serialize();
    }

    /** A signed token whose payload is rewritten to grant {@code to} instead of {@code from}, the signature kept. */
    private static String forge(String token, String from, String to) {
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace(from, to);
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
    }

    private static void writeJwks(Path file, JWK... keys) throws Exception {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, new JWKSet(List.of(keys)).toPublicJWKSet().toString());
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** What a device's status listener heard. */
    static final class Recorder extends SyncStatusListener {
        final AtomicInteger connects = new AtomicInteger();
        final List<ErrorCode> errors = new CopyOnWriteArrayList<>();
        final List<String> messages = new CopyOnWriteArrayList<>();

        @Override
        public void connected() {
            connects.incrementAndGet();
        }

        @Override
        public void error(ErrorCode code, String message) {
            errors.add(code);
            messages.add(code + " " + message);
        }
    }
}
