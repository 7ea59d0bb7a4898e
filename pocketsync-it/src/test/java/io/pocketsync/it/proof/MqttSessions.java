package io.pocketsync.it.proof;

import java.util.Collection;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** Removes the persistent sessions a test left on the shared broker (a clean-session connect drops them). */
final class MqttSessions {
    private MqttSessions() {}

    static void wipe(String uri, Collection<String> clientIds) {
        clientIds.parallelStream().forEach(id -> {
            try {
                MqttClient client = new MqttClient(uri, id, new MemoryPersistence());
                MqttConnectOptions options = new MqttConnectOptions();
                options.setCleanSession(true);
                options.setConnectionTimeout(5);
                client.connect(options);
                client.disconnect();
                client.close();
            }
            catch (MqttException e) {
                // best effort: a leftover session expires with the broker's settings
            }
        });
    }
}
