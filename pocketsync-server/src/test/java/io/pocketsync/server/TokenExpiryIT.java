package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.SyncStatusListener;
import io.pocketsync.server.engine.auth.HmacTokens;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token expiry mid-session (issue #21, 4), against {@code pocketsync server} with HMAC-signed tokens of a few seconds:
 * the server ends each session when its token expires ({@code ERROR TOKEN_EXPIRED}); a device whose token supplier has a
 * fresh token reconnects with it and syncs both ways again, over WebSocket and over MQTT; a device without one stays out:
 * its writes stay pending and the scope's writes do not reach it.
 */
class TokenExpiryIT {
    private static final String MQTT = Optional.ofNullable(System.getenv("PS_MQTT_URI")).orElse("tcp://127.0.0.1:1883");
    private static final byte[] SECRET = "token-expiry-it-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aSessionEndsWithItsTokenAndResumesOnlyWithAFreshOne() throws Exception {
        String scope = "expiry-" + UUID.randomUUID();
        Path secretFile = dir.resolve("hmac.secret");
        Files.write(secretFile, SECRET);
        Path renewedDb = create("renewed");
        Path mqttDb = create("mqtt");
        Path staleDb = create("stale");
        Path peerDb = create("peer");
        Recorder renewed = new Recorder();
        Recorder overMqtt = new Recorder();
        Recorder stale = new Recorder();
        String staleToken = token(scope, Duration.ofSeconds(8));

        try (ServerRuntime server = ServerRuntime.start(ServerSettings.of(Map.of(
                ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(),
                ServerSettings.MQTT_URI, MQTT,
                ServerSettings.HMAC_SECRET_FILE, secretFile.toString())));
                PocketSyncDevice renewing = device(renewedDb, server.webSocketUri(), "websocket", scope, renewed,
                        shortThenFresh(scope));
                PocketSyncDevice renewingOverMqtt = device(mqttDb, URI.create(MQTT), "mqtt", scope, overMqtt, shortThenFresh(scope));
                PocketSyncDevice notRenewing = device(staleDb, server.webSocketUri(), "websocket", scope, stale, () -> staleToken);
                PocketSyncDevice peer = device(peerDb, server.webSocketUri(), "websocket", scope, new Recorder(),
                        () -> token(scope, Duration.ofHours(1)))) {
            renewing.start();
            renewingOverMqtt.start();
            notRenewing.start();
            peer.start();
            TestDatabases.execute(peerDb, "INSERT INTO todo (id, title) VALUES ('before', 'while every token is valid')");
            for (Path db : List.of(renewedDb, mqttDb, staleDb)) {
                await().atMost(PATIENCE).until(() -> "while every token is valid".equals(TestDatabases.title(db, "before")));
            }

            // the server ends each session at its token's expiry
            for (Recorder recorder : List.of(renewed, overMqtt, stale)) {
                await().atMost(PATIENCE).until(() -> recorder.errors.contains(ErrorCode.TOKEN_EXPIRED));
            }
            // the renewing devices come back with their fresh token and sync both ways
            await().atMost(PATIENCE).until(() -> renewed.connects.get() >= 2 && overMqtt.connects.get() >= 2);
            TestDatabases.execute(renewedDb, "INSERT INTO todo (id, title) VALUES ('ws', 'after renewal, over websocket')");
            TestDatabases.execute(mqttDb, "INSERT INTO todo (id, title) VALUES ('mq', 'after renewal, over mqtt')");
            TestDatabases.execute(peerDb, "INSERT INTO todo (id, title) VALUES ('after', 'written after the expiry')");
            await().atMost(PATIENCE).until(() -> "after renewal, over websocket".equals(TestDatabases.title(peerDb, "ws"))
                    && "after renewal, over mqtt".equals(TestDatabases.title(peerDb, "mq"))
                    && "written after the expiry".equals(TestDatabases.title(renewedDb, "after"))
                    && "written after the expiry".equals(TestDatabases.title(mqttDb, "after")));

            // the device without a fresh token is refused every time it tries, and syncs nothing either way
            TestDatabases.execute(staleDb, "INSERT INTO todo (id, title) VALUES ('stale', 'written with an expired token')");
            int refusals = stale.count(ErrorCode.AUTH_FAILED);
            await().atMost(PATIENCE).until(() -> stale.count(ErrorCode.AUTH_FAILED) >= refusals + 2);
            assertThat(notRenewing.pendingCount()).isEqualTo(1);
            assertThat(TestDatabases.title(staleDb, "after")).isNull();
            assertThat(TestDatabases.title(peerDb, "stale")).isNull();
            assertThat(stale.connects.get()).isEqualTo(1);
        }
    }

    private Path create(String name) throws Exception {
        Path db = dir.resolve(name + ".db");
        TestDatabases.createTodo(db);
        return db;
    }

    /** A supplier whose first token lives a few seconds and whose later ones an hour: a device whose app renews. */
    private static Supplier<String> shortThenFresh(String scope) {
        AtomicInteger asked = new AtomicInteger();
        String first = token(scope, Duration.ofSeconds(8));
        return () -> asked.getAndIncrement() == 0 ? first : token(scope, Duration.ofHours(1));
    }

    private static String token(String scope, Duration lifetime) {
        return HmacTokens.issue(SECRET, scope, "*", Instant.now().plus(lifetime));
    }

    private static PocketSyncDevice device(Path db, URI server, String transport, String scope, Recorder recorder,
            Supplier<String> tokens) {
        return PocketSyncDevice.builder().database(db).tables("todo").server(server).scope(scope).tokenSupplier(tokens)
                .transport(transport).statusListener(recorder).build();
    }

    /** What a device's status listener heard. */
    private static final class Recorder extends SyncStatusListener {
        final AtomicInteger connects = new AtomicInteger();
        final List<ErrorCode> errors = new CopyOnWriteArrayList<>();

        @Override
        public void connected() {
            connects.incrementAndGet();
        }

        @Override
        public void error(ErrorCode code, String message) {
            errors.add(code);
        }

        int count(ErrorCode code) {
            return (int) errors.stream().filter(code::equals).count();
        }
    }
}
