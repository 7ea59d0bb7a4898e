package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.pocketsync.device.PocketSyncDevice;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet set-up from flags: Redis store plus MQTT beside WebSocket; a change written on a WebSocket
 * device reaches an MQTT device. Uses the real Redis and Mosquitto (PS_REDIS_URI / PS_MQTT_URI or the
 * default local ports) with a unique key prefix and scope.
 */
class ServerMqttAndRedisIT {
    private static final String REDIS = Optional.ofNullable(System.getenv("PS_REDIS_URI")).orElse("redis://127.0.0.1:6379");
    private static final String MQTT = Optional.ofNullable(System.getenv("PS_MQTT_URI")).orElse("tcp://127.0.0.1:1883");

    @TempDir
    Path dir;

    @Test
    void webSocketDeviceReachesMqttDeviceThroughRedisStore() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String scope = "fleet-" + id;
        ServerSettings settings = ServerSettings.of(Map.of(
                ServerSettings.PORT, "0",
                ServerSettings.STORE, "redis",
                ServerSettings.REDIS_URI, REDIS,
                ServerSettings.REDIS_PREFIX, "ps-cli-it-" + id,
                ServerSettings.MQTT_URI, MQTT,
                ServerSettings.TOKENS, scope + ":fleet-token"));
        Path wsDb = dir.resolve("ws.db");
        Path mqttDb = dir.resolve("mqtt.db");
        TestDatabases.createTodo(wsDb);
        TestDatabases.createTodo(mqttDb);

        try (ServerRuntime server = ServerRuntime.start(settings);
                PocketSyncDevice overWebSocket = PocketSyncDevice.builder().database(wsDb).tables("todo")
                        .server(server.webSocketUri()).scope(scope).token("fleet-token").transport("websocket").build();
                PocketSyncDevice overMqtt = PocketSyncDevice.builder().database(mqttDb).tables("todo")
                        .server(URI.create(MQTT)).scope(scope).token("fleet-token").transport("mqtt").build()) {
            overWebSocket.start();
            overMqtt.start();

            TestDatabases.execute(wsDb, "INSERT INTO todo (id, title) VALUES ('w', 'over websocket')");
            await().atMost(Duration.ofSeconds(30)).until(() -> "over websocket".equals(TestDatabases.title(mqttDb, "w")));

            TestDatabases.execute(mqttDb, "INSERT INTO todo (id, title) VALUES ('m', 'over mqtt')");
            await().atMost(Duration.ofSeconds(30)).until(() -> "over mqtt".equals(TestDatabases.title(wsDb, "m")));
        }
        finally {
            deleteKeys("ps-cli-it-" + id);
        }
    }

    /** Deletes the keys this test created (never FLUSHDB: the Redis is shared). */
    private static void deleteKeys(String prefix) {
        RedisClient client = RedisClient.create(REDIS);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(500));
                if (!page.getKeys().isEmpty()) {
                    redis.del(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            }
            while (!cursor.isFinished());
        }
        finally {
            client.shutdown();
        }
    }
}
