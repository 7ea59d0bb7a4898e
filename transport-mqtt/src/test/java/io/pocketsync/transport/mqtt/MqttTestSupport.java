package io.pocketsync.transport.mqtt;

import java.util.Collection;
import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** The shared broker of the tests and clean-up of the persistent sessions a test leaves there. */
final class MqttTestSupport {
    private MqttTestSupport() {}

    static String brokerUri() {
        String uri = System.getenv("PS_MQTT_URI");
        return uri == null || uri.isBlank() ? "tcp://127.0.0.1:1883" : uri;
    }

    /** A topic root no other test uses. */
    static String uniqueRoot() {
        return "pstest-" + UUID.randomUUID().toString().substring(0, 12) + "/v1";
    }

    /** Connecting with a clean session and leaving discards the broker's session of each client id. */
    static void wipeSessions(String uri, Collection<String> clientIds) {
        // Paho takes a few hundred milliseconds per connect, so wipe in parallel
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(32);
        java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (String clientId : clientIds) {
            done.add(pool.submit(() -> wipe(uri, clientId)));
        }
        for (java.util.concurrent.Future<?> future : done) {
            try {
                future.get();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            catch (java.util.concurrent.ExecutionException e) {
                // best effort
            }
        }
        pool.shutdown();
    }

    private static void wipe(String uri, String clientId) {
        try (MqttAsyncClient client = new MqttAsyncClient(uri, clientId, new MemoryPersistence())) {
                MqttConnectOptions options = new MqttConnectOptions();
                options.setCleanSession(true);
                client.connect(options).waitForCompletion(5000);
                // a clean session ends with the connection, however it ends
                client.disconnectForcibly(0, 1000, false);
            }
        catch (MqttException e) {
            // best effort: a stale session on a unique topic root harms no one
        }
    }
}
