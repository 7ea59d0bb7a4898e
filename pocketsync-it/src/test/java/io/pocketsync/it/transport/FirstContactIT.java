package io.pocketsync.it.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.transport.ReconnectPolicy;
import io.pocketsync.device.DeviceOptions;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.SyncStatusListener;
import io.pocketsync.it.support.SqliteFiles;
import io.pocketsync.it.support.SyncNode;
import io.pocketsync.it.support.TestEnv;
import io.pocketsync.it.support.Tokens;
import io.pocketsync.server.engine.ServerListener;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new user's first mistakes get an answer that says what was wrong, once, instead of silence or a storm: a wrong
 * path, a port nothing listens on, a wrong token (over WebSocket and over MQTT). The device's status listener hears
 * what its WARN log line says; the server counts the attempts that reach it.
 */
class FirstContactIT {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private final Tokens tokens = new Tokens();
    private final String scope = TestEnv.unique("contact");
    private final Failures failures = new Failures();
    private final Counts counts = new Counts();
    private SyncNode node;
    private PocketSyncDevice device;

    @AfterEach
    void closeAll() {
        if (device != null) {
            device.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aWrongPathIsToldWithThePathTheServerServes() {
        startNode();
        URI root = node.websocketUri().resolve("/");
        device = start("websocket", root, tokens.forScope(scope), DeviceOptions.DEFAULTS, Map.of());

        await().atMost(PATIENCE).until(() -> !failures.events.isEmpty());
        Failure first = failures.events.get(0);
        assertThat(first.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
        assertThat(first.message()).isEqualTo("no PocketSync endpoint at /; the server answered 404 (it serves /sync)");
    }

    @Test
    void aPortNothingListensOnIsToldOnceWhileTheDeviceKeepsTrying() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        device = start("websocket", URI.create("ws://127.0.0.1:" + port + "/sync"), "t", DeviceOptions.DEFAULTS,
                Map.of("reconnect-initial-delay", "20ms", "reconnect-max-delay", "50ms"));

        await().atMost(PATIENCE).until(() -> !failures.events.isEmpty());
        assertThat(failures.events.get(0).code()).isEqualTo(ErrorCode.TRANSPORT_CLOSED);
        assertThat(failures.events.get(0).message()).startsWith("connection refused at 127.0.0.1:" + port);
        // dozens of attempts fail the same way meanwhile (at most 50 ms apart): still that one event
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> failures.events.size() == 1);
    }

    @Test
    void aWrongTokenWaitsLongerEachTimeAndSaysSoOncePerWait() {
        startNode();
        DeviceOptions options = DeviceOptions.DEFAULTS.withRefusalBackoff(new ReconnectPolicy(Duration.ofMillis(100),
                Duration.ofMillis(400)));
        device = start("websocket", node.websocketUri(), "not-the-token", options, Map.of());

        await().atMost(PATIENCE).until(() -> counts.refused.get() >= 4);
        assertThat(failures.events).allSatisfy(event -> {
            assertThat(event.code()).isEqualTo(ErrorCode.AUTH_FAILED);
            assertThat(event.message()).startsWith("authentication failed").contains("(AUTH_FAILED").containsPattern(
                    "; next attempt in \\d+ ms$");
        });
        // one event per refusal, one connection per attempt: the device does not reconnect between its attempts
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(failures.events.size()).isBetween(counts.refused.get() - 1,
                counts.refused.get()));
        assertThat(counts.connected.get()).isBetween(counts.refused.get(), counts.refused.get() + 1);
    }

    @Test
    void aWrongTokenReachesTheServerAHandfulOfTimesInThirtySeconds() {
        startNode();
        device = start("websocket", node.websocketUri(), "not-the-token", DeviceOptions.DEFAULTS, Map.of());

        await().atMost(PATIENCE).until(() -> counts.refused.get() >= 1);
        // the default backoff (1 s doubling, to 5 minutes) allows 6 attempts in 30 s at most; before, it was ~360
        await().during(Duration.ofSeconds(30)).atMost(Duration.ofSeconds(31)).until(() -> counts.connected.get() <= 6);
        assertThat(counts.refused.get()).isBetween(2, 6);
        await().atMost(PATIENCE).until(() -> failures.events.size() == counts.refused.get());
        assertThat(failures.events.get(failures.events.size() - 1).message()).containsPattern("next attempt in \\d+ s$");
    }

    @Test
    void aWrongTokenOverMqttHoldsTheHelloThroughTheBackoff() {
        String topicRoot = TestEnv.uniqueTopicRoot();
        node = SyncNode.builder().store(SyncNode.sqliteStore(dir, "n1")).authenticator(tokens.authenticator())
                .listener(counts).mqtt(topicRoot).start();
        DeviceOptions options = DeviceOptions.DEFAULTS.withRefusalBackoff(new ReconnectPolicy(Duration.ofMillis(200),
                Duration.ofMillis(400)));
        device = start("mqtt", URI.create(TestEnv.mqttUri()), "not-the-token", options, Map.of("topic-root", topicRoot));

        await().atMost(PATIENCE).until(() -> counts.refused.get() >= 3);
        assertThat(failures.events).isNotEmpty().allSatisfy(event -> assertThat(event.code()).isEqualTo(ErrorCode.AUTH_FAILED));
        // waits of 100-400 ms between HELLOs: at most 11 in 2 s, where a HELLO storm would be hundreds
        int before = counts.refused.get();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> counts.refused.get() - before <= 11);
    }

    private void startNode() {
        node = SyncNode.builder().store(SyncNode.sqliteStore(dir, "n1")).authenticator(tokens.authenticator()).listener(counts)
                .websocket().start();
    }

    private PocketSyncDevice start(String transport, URI server, String token, DeviceOptions options, Map<String, String> config) {
        Path db = dir.resolve("device.db");
        SqliteFiles.createItems(db);
        PocketSyncDevice created = PocketSyncDevice.builder().database(db).tables(SqliteFiles.ITEMS).scope(scope).token(token)
                .server(server).transport(transport, PluginConfig.of("transport." + transport, config)).options(options)
                .statusListener(failures).build();
        created.start();
        return created;
    }

    private record Failure(ErrorCode code, String message) {}

    /** What the device's status listener heard of failed first contacts. */
    private static final class Failures extends SyncStatusListener {
        final List<Failure> events = new CopyOnWriteArrayList<>();

        @Override
        public void connectFailed(ErrorCode code, String message) {
            events.add(new Failure(code, message));
        }
    }

    /** What reached the server. */
    private static final class Counts extends ServerListener {
        final AtomicInteger connected = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();

        @Override
        public void connected(String transport) {
            connected.incrementAndGet();
        }

        @Override
        public void sessionRefused(String transport, ErrorCode code) {
            refused.incrementAndGet();
        }
    }
}
