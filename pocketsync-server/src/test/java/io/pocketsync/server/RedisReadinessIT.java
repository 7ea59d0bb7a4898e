package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.store.redis.RedisServerStore;
import io.pocketsync.store.redis.RedisStoreConfig;
import io.pocketsync.testkit.PrivateRedis;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health/ready} follows the Redis store's Redis (#19, #21): a server on a private redis-server (never the
 * shared one), which keeps an append-only file in the test's directory, and a device pushing to it. Redis is killed:
 * readiness turns 503 naming the store, and the device's push is refused with STORE_UNAVAILABLE and stays pending.
 * Redis is started again on the same port: readiness is 200 with no server restart, the pending row is stored, and the
 * row acknowledged before the crash is still there.
 */
class RedisReadinessIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private PrivateRedis redis;

    @AfterEach
    void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void readinessFollowsRedisAndTheDevicesWriteIsStoredOnceItIsBack() throws Exception {
        redis = PrivateRedis.durable(dir).start();
        String id = UUID.randomUUID().toString().substring(0, 8);
        String scope = "redis-ready-" + id;
        String uri = redis.uri();
        String prefix = "ps-ready-" + id;
        int metricsPort = TestPorts.freePort();
        ServerSettings settings = ServerSettings.of(Map.of(ServerSettings.PORT, "0", ServerSettings.STORE, "redis",
                ServerSettings.REDIS_URI, uri, ServerSettings.REDIS_PREFIX, prefix,
                ServerSettings.TOKENS, scope + ":tok-1", ServerSettings.METRICS_PORT, Integer.toString(metricsPort)));
        Path phone = dir.resolve("phone.db");
        TestDatabases.createTodo(phone);
        List<String> errors = new CopyOnWriteArrayList<>();
        try (ServerRuntime server = ServerRuntime.start(settings);
                PocketSyncDevice device = PocketSyncDevice.builder().database(phone).tables("todo")
                        .transport("websocket").server(server.webSocketUri()).scope(scope).token("tok-1").build()) {
            device.onError((code, message) -> errors.add(code + ": " + message));
            device.start();
            TestDatabases.execute(phone, "INSERT INTO todo (id, title) VALUES ('before', 'acknowledged before the"
                    + " crash')");
            await().atMost(WAIT).until(() -> device.pendingCount() == 0);
            assertThat(ready(metricsPort).statusCode()).isEqualTo(200);

            redis.kill(); // SIGKILL: a crash, not a clean shutdown
            await().atMost(Duration.ofSeconds(10)).until(() -> ready(metricsPort).statusCode() == 503);
            assertThat(ready(metricsPort).body()).contains("\"store\":{\"up\":false,\"detail\":\"Redis unreachable",
                    "\"websocket\":{\"up\":true");

            TestDatabases.execute(phone, "INSERT INTO todo (id, title) VALUES ('during', 'written during the outage')");
            await().atMost(WAIT).until(() -> errors.stream().anyMatch(error -> error.startsWith("STORE_UNAVAILABLE: ")
                    && error.contains("Redis unreachable")));
            assertThat(device.pendingCount()).isEqualTo(1);

            redis.start();
            await().atMost(WAIT).until(() -> ready(metricsPort).statusCode() == 200);
            await().atMost(WAIT).until(() -> device.pendingCount() == 0);
        }
        try (RedisServerStore store = new RedisServerStore(new RedisStoreConfig(uri, prefix, Duration.ofSeconds(2),
                Duration.ofSeconds(2), 50), "check", Clock.systemUTC())) {
            List<RowState> rows = store.page(Scope.of(scope), 0, 100, true).rows();
            assertThat(rows).extracting(row -> row.row().get("title"))
                    .containsExactlyInAnyOrder("acknowledged before the crash", "written during the outage");
        }
    }

    private static HttpResponse<String> ready(int metricsPort) {
        return TestPorts.get(metricsPort, "/health/ready");
    }
}
