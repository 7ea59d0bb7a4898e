package io.pocketsync.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.testkit.transport.TestingPluginContext;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.junit.jupiter.api.Test;

/**
 * {@code max-queued-bytes} of the MQTT bridge: it counts the bytes of publishes the broker has not acknowledged.
 * The broker client is a hand-made stand-in that holds every publish until the test completes it, as a broker that
 * falls behind does.
 */
class MqttConnectionBudgetTest {
    private final Codec json = new TestingPluginContext("server").codec("json");
    private final List<byte[]> published = new ArrayList<>();
    private final List<IMqttActionListener> pending = new ArrayList<>();
    private final IMqttAsyncClient broker = (IMqttAsyncClient) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {IMqttAsyncClient.class}, (proxy, method, args) -> {
                if (method.getName().equals("publish") && args.length == 6) {
                    published.add((byte[]) args[1]);
                    pending.add((IMqttActionListener) args[5]);
                    return null;
                }
                throw new UnsupportedOperationException(method.getName());
            });

    @Test
    void publishesTheBrokerHasNotAcknowledgedAreCountedInBytes() {
        Message big = new ErrorMessage(ProtocolVersion.CURRENT, ErrorCode.INTERNAL, "x".repeat(3000), null);
        int size = json.encode(big).length;
        MqttConnection connection = new MqttConnection(() -> broker, "root/s/d/down", "s", "d", json, 3L * size + 10, 1000,
                1024 * 1024, 0, () -> {});

        assertThat(connection.send(big)).isTrue();
        assertThat(connection.send(big)).isTrue();
        assertThat(connection.send(big)).isTrue();
        assertThat(connection.queuedBytes()).isEqualTo(3L * size);
        assertThat(connection.send(big)).isFalse();
        assertThat(published).hasSize(3);

        // the broker acknowledges two: half the budget is free, the owed CATCH_UP_REQUIRED goes out
        pending.get(0).onSuccess(null);
        pending.get(1).onFailure(null, new RuntimeException("lost"));
        assertThat(published).hasSize(4);
        assertThat(json.decode(published.get(3))).isInstanceOfSatisfying(ErrorMessage.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CATCH_UP_REQUIRED));
        assertThat(connection.queuedBytes()).isEqualTo(size + (long) published.get(3).length);
        assertThat(connection.send(big)).isTrue();
    }
}
