package io.pocketsync.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.pocketsync.api.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server nodes over one real Redis (a key prefix of their own), each with its admin API: what an operator does
 * through one node holds on the other, for live sessions (within the sweep's 5 seconds) and at the next HELLO.
 */
class MultiNodeAdminIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String REDIS = System.getenv().getOrDefault("PS_REDIS_URI", "redis://127.0.0.1:6379");

    @TempDir
    Path dir;

    private final String prefix = "pstest-admin-" + UUID.randomUUID();
    private AdminTestServer one;
    private AdminTestServer two;
    private TestDevice device;

    @BeforeEach
    void start() {
        Map<String, String> redis = Map.of("server.store", "redis", "store.redis.uri", REDIS, "store.redis.prefix", prefix);
        one = AdminTestServer.start(redis, "node-one", "team:team-token");
        two = AdminTestServer.start(redis, "node-two", "team:team-token");
        device = new TestDevice(dir.resolve("d.db"), two.websocket(), "team", "team-token").start();
        await().atMost(WAIT).until(device::connected);
        device.execute("INSERT INTO items (id, title) VALUES ('r1', 'one')");
        await().atMost(WAIT).until(() -> one.get("api/scopes/team").path("head").asLong() == 1);
    }

    @AfterEach
    void stop() {
        device.close();
        two.close();
        one.close();
        RedisClient client = RedisClient.create(REDIS);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            List<String> keys = new ArrayList<>();
            ScanIterator.scan(connection.sync(), ScanArgs.Builder.matches(prefix + ":*").limit(500)).forEachRemaining(keys::add);
            if (!keys.isEmpty()) {
                connection.sync().unlink(keys.toArray(String[]::new));
            }
        }
        finally {
            client.shutdown();
        }
    }

    @Test
    void aDeviceLiveOnOneNodeIsSeenAndRevokedThroughTheOther() {
        // node-two writes its sightings within the sweep interval; node-one reads them from Redis
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode seen = one.get("api/scopes/team/devices/" + device.id());
            assertThat(seen.path("connected").asBoolean()).isTrue();
            assertThat(seen.path("node").asText()).isEqualTo("node-two");
            assertThat(seen.path("session").isNull()).as("not a session of node-one").isTrue();
        });
        assertThat(one.get("api/info").path("nodes").toString()).contains("node-one").contains("node-two");

        JsonNode revoked = one.post("api/scopes/team/devices/" + device.id() + "/revoke", "{\"reason\":\"stolen\"}");

        assertThat(revoked.path("sessionsClosed").asInt()).as("its session is on node-two").isZero();
        await().atMost(WAIT).until(() -> device.errors().contains(ErrorCode.DEVICE_REVOKED) && !device.connected());
        assertThat(two.get("api/scopes/team/devices/" + device.id()).path("revoked").path("reason").asText()).isEqualTo("stolen");

        two.post("api/scopes/team/devices/" + device.id() + "/allow", null);
        await().atMost(WAIT).until(device::connected);
        device.execute("INSERT INTO items (id, title) VALUES ('r2', 'two')");
        await().atMost(WAIT).until(() -> one.get("api/scopes/team").path("head").asLong() == 2);
    }

    @Test
    void aResyncAskedThroughOneNodeReachesTheDeviceLiveOnTheOther() {
        device.deleteBehindTheEngine("r1");

        JsonNode asked = one.post("api/scopes/team/devices/" + device.id() + "/resync", null);

        assertThat(asked.path("sessionsTold").asInt()).isZero();
        assertThat(asked.path("resyncPending").asBoolean()).isTrue();
        await().atMost(WAIT).until(() -> "one".equals(device.title("r1")));
        await().atMost(WAIT).until(() -> !one.get("api/scopes/team/devices/" + device.id()).path("resyncPending").asBoolean());
    }
}
