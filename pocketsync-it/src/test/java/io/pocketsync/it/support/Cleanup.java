package io.pocketsync.it.support;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** Removes what a test left on the shared servers: only its own Redis keys and MQTT sessions. */
public final class Cleanup {
    private Cleanup() {}

    /**
     * What a test that ran one node leaves behind: closes {@code node} (when started), discards the MQTT sessions it
     * named and deletes its Redis keys.
     */
    public static void afterNode(SyncNode node, Collection<String> mqttSessions, String redisPrefix) {
        if (node != null) {
            node.close();
        }
        wipeMqttSessions(TestEnv.mqttUri(), mqttSessions);
        deleteRedisKeys(TestEnv.redisUri(), redisPrefix);
    }

    /** Deletes every key under {@code prefix:} (SCAN MATCH, never FLUSH); returns how many. */
    public static int deleteRedisKeys(String uri, String prefix) {
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            List<String> keys = new ArrayList<>();
            ScanIterator.scan(connection.sync(), ScanArgs.Builder.matches(prefix + ":*").limit(500)).forEachRemaining(keys::add);
            for (int i = 0; i < keys.size(); i += 500) {
                connection.sync().unlink(keys.subList(i, Math.min(keys.size(), i + 500)).toArray(String[]::new));
            }
            return keys.size();
        }
        finally {
            client.shutdown();
        }
    }

    /** Discards the broker's persistent sessions of {@code clientIds} (connect clean, leave). Best effort. */
    public static void wipeMqttSessions(String uri, Collection<String> clientIds) {
        clientIds.parallelStream().forEach(clientId -> {
            try (MqttAsyncClient client = new MqttAsyncClient(uri, clientId, new MemoryPersistence())) {
                MqttConnectOptions options = new MqttConnectOptions();
                options.setCleanSession(true);
                client.connect(options).waitForCompletion(5000);
                client.disconnectForcibly(0, 1000, false);
            }
            catch (MqttException e) {
                // a stale session under a unique topic root harms no one
            }
        });
    }
}
