package io.pocketsync.it.hostile;

import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A bare Paho client posing as device {@code device}: publishes raw payloads (QoS 1) on its up topic (or the
 * frame's topic) and listens on the down topic of that device id in every scope.
 */
final class RawMqttPeer extends RawPeer {
    private final MqttClient client;
    private final String ownUpTopic;

    RawMqttPeer(String brokerUri, String topicRoot, String scope, String device) throws MqttException {
        this.ownUpTopic = topicRoot + "/" + scope + "/" + device + "/up";
        client = new MqttClient(brokerUri, "psit-raw-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        client.connect(options);
        client.subscribe(topicRoot + "/+/" + device + "/down", 1, (topic, message) ->
                received(message.getPayload(), message.getPayload().length > 0 && message.getPayload()[0] == '{'));
    }

    String ownUpTopic() {
        return ownUpTopic;
    }

    @Override
    void send(Frame frame) throws MqttException {
        client.publish(frame.topic() == null ? ownUpTopic : frame.topic(), frame.bytes(), 1, false);
    }

    @Override
    public void close() {
        try {
            // "device gone": lets the server drop this peer's virtual connection now rather than at idle timeout
            client.publish(ownUpTopic, new byte[0], 1, false);
            client.disconnect(2000);
        }
        catch (MqttException e) {
            // the test is over for this peer either way
        }
        finally {
            try {
                client.close(true);
            }
            catch (MqttException ignored) {
                // nothing left to release
            }
        }
    }
}
