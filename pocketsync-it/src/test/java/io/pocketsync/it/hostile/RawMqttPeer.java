package io.pocketsync.it.hostile;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A raw MQTT peer posing as device {@code device}: publishes raw payloads (QoS 1) on its up topic (or the frame's
 * topic) and records what arrives on the down topic of that device id in any scope. Peers share one Paho
 * connection ({@link Broker}), since a broker connect costs far more than a case.
 */
final class RawMqttPeer extends RawPeer {
    private final Broker broker;
    private final String device;
    private final String ownUpTopic;

    RawMqttPeer(Broker broker, String scope, String device) {
        this.broker = broker;
        this.device = device;
        this.ownUpTopic = broker.topicRoot + "/" + scope + "/" + device + "/up";
        broker.peers.put(device, this);
    }

    @Override
    void send(Frame frame) throws MqttException {
        broker.client.publish(frame.topic() == null ? ownUpTopic : frame.topic(), frame.bytes(), 1, false);
    }

    @Override
    public void close() {
        try {
            // "device gone": lets the server drop this peer's virtual connection now rather than at idle timeout
            broker.client.publish(ownUpTopic, new byte[0], 1, false);
        }
        catch (MqttException e) {
            // the case is over for this peer either way
        }
        broker.peers.remove(device);
    }

    /** One clean-session Paho connection listening on every down topic of a topic root. */
    static final class Broker implements AutoCloseable {
        private final MqttClient client;
        private final String topicRoot;
        private final Map<String, RawMqttPeer> peers = new ConcurrentHashMap<>();

        Broker(String uri, String topicRoot) throws MqttException {
            this.topicRoot = topicRoot;
            client = new MqttClient(uri, "psit-raw-" + UUID.randomUUID(), new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(true);
            client.connect(options);
            client.subscribe(topicRoot + "/+/+/down", 1, (topic, message) -> {
                String[] segments = topic.split("/");
                RawMqttPeer peer = peers.get(segments[segments.length - 2]);
                byte[] payload = message.getPayload();
                if (peer != null) {
                    peer.received(payload, payload.length > 0 && payload[0] == '{');
                }
            });
        }

        @Override
        public void close() throws MqttException {
            client.disconnect(2000);
            client.close(true);
        }
    }
}
