package io.pocketsync.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.transport.ClientTransportProvider;
import io.pocketsync.api.transport.ServerTransportProvider;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class MqttTopicsTest {
    private final MqttTopics topics = new MqttTopics("pocketsync/v1");

    @Test
    void layoutMatchesTheProtocol() {
        assertThat(topics.up("s1", "d1")).isEqualTo("pocketsync/v1/s1/d1/up");
        assertThat(topics.down("s1", "d1")).isEqualTo("pocketsync/v1/s1/d1/down");
        assertThat(topics.allUp()).isEqualTo("pocketsync/v1/+/+/up");
        assertThat(topics.parseUp("pocketsync/v1/s1/d1/up")).contains(new MqttTopics.Address("s1", "d1"));
    }

    @Test
    void injectionAndForeignTopicsAreNotOurs() {
        assertThat(topics.parseUp("pocketsync/v1/s1/d1/down")).isEmpty();
        assertThat(topics.parseUp("pocketsync/v1/s1/x/d1/up")).isEmpty();
        assertThat(topics.parseUp("pocketsync/v1/s+1/d1/up")).isEmpty();
        assertThat(topics.parseUp("pocketsync/v1/s1/d#/up")).isEmpty();
        assertThat(topics.parseUp("pocketsync/v1//d1/up")).isEmpty();
        assertThat(topics.parseUp("pocketsync/v1/s 1/d1/up")).isEmpty();
        assertThat(topics.parseUp("pocketsync/v1/" + "a".repeat(129) + "/d1/up")).isEmpty();
        assertThat(topics.parseUp("other/v1/s1/d1/up")).isEmpty();
        assertThat(topics.parseUp("pocketsync/v1")).isEmpty();
        assertThatThrownBy(() -> topics.up("s/1", "d1")).isInstanceOf(PocketSyncException.class)
                .extracting(e -> ((PocketSyncException) e).code()).isEqualTo(ErrorCode.IDENTIFIER_INVALID);
        assertThatThrownBy(() -> topics.down("s1", "#")).isInstanceOf(PocketSyncException.class);
    }

    @Test
    void rootsWithWildcardsAreRefused() {
        for (String root : new String[] {"", "/a", "a/", "a/+", "a/#", "$SYS"}) {
            assertThatThrownBy(() -> new MqttTopics(root)).as(root).isInstanceOf(PocketSyncException.class);
        }
    }

    @Test
    void serverConfigDefaultsAndMapping() {
        MqttServerConfig defaults = MqttServerConfig.from(PluginConfig.empty("transport.mqtt"));
        assertThat(defaults.uri()).isEqualTo("tcp://127.0.0.1:1883");
        assertThat(defaults.topicRoot()).isEqualTo("pocketsync/v1");
        assertThat(defaults.codec()).isEqualTo("cbor");
        assertThat(defaults.maxMessageBytes()).isEqualTo(1024 * 1024);
        assertThat(defaults.maxQueuedMessages()).isEqualTo(1000);
        assertThat(defaults.maxQueuedBytes()).isEqualTo(4L * 1024 * 1024);
        assertThat(defaults.clientId()).isEmpty();

        MqttServerConfig config = MqttServerConfig.from(PluginConfig.of("transport.mqtt", Map.ofEntries(
                Map.entry("uri", "ssl://broker:8883"), Map.entry("topic-root", "acme/ps"), Map.entry("client-id", "srv-1"),
                Map.entry("username", "server"), Map.entry("password", "pw-secret"), Map.entry("codec", "json"),
                Map.entry("max-message-bytes", "1000"), Map.entry("max-queued-bytes", "70000"), Map.entry("max-queued-messages", "5"),
                Map.entry("max-inflight", "50"), Map.entry("keep-alive", "10s"), Map.entry("reconnect-max-delay", "5s"),
                Map.entry("idle-timeout", "10m"), Map.entry("max-assembled-bytes", "0"))));
        assertThat(config).isEqualTo(new MqttServerConfig("ssl://broker:8883", "acme/ps", java.util.Optional.of("srv-1"),
                java.util.Optional.of("server"), "pw-secret", "json", 1000, 70000, 5, 50, Duration.ofSeconds(10),
                Duration.ofSeconds(5), Duration.ofMinutes(10), 0));
        assertThat(config.toString()).doesNotContain("pw-secret");
        assertThatThrownBy(() -> MqttServerConfig.from(PluginConfig.of("transport.mqtt", Map.of("topic-rot", "x"))))
                .isInstanceOf(PocketSyncException.class).hasMessageContaining("transport.mqtt.topic-root");
    }

    @Test
    void clientConfigDefaultsAndMapping() {
        MqttClientConfig defaults = MqttClientConfig.from(PluginConfig.empty("transport.mqtt"));
        assertThat(defaults.codec()).isEqualTo("cbor");
        assertThat(defaults.topicRoot()).isEqualTo("pocketsync/v1");
        assertThat(defaults.keepAlive()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.maxAssembledBytes()).isEqualTo(32 * 1024 * 1024);

        MqttClientConfig config = MqttClientConfig.from(PluginConfig.of("transport.mqtt", Map.ofEntries(
                Map.entry("topic-root", "acme/ps"), Map.entry("client-id", "dev-1"), Map.entry("username", "dev"),
                Map.entry("password", "pw-secret"), Map.entry("codec", "json"), Map.entry("max-message-bytes", "99"),
                Map.entry("max-inflight", "7"), Map.entry("keep-alive", "3s"), Map.entry("connect-timeout", "4s"),
                Map.entry("reconnect-initial-delay", "10ms"), Map.entry("reconnect-max-delay", "2s"),
                Map.entry("max-assembled-bytes", "5000"))));
        assertThat(config.maxAssembledBytes()).isEqualTo(5000);
        assertThat(config.clientId()).contains("dev-1");
        assertThat(config.maxMessageBytes()).isEqualTo(99);
        assertThat(config.maxInflight()).isEqualTo(7);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(config.reconnect().max()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.toString()).doesNotContain("pw-secret");
    }

    @Test
    void providersAreFoundByServiceLoader() {
        assertThat(ServiceLoader.load(ServerTransportProvider.class, ServerTransportProvider.class.getClassLoader()).stream()
                .map(p -> p.get().name())).contains("mqtt");
        assertThat(ServiceLoader.load(ClientTransportProvider.class, ClientTransportProvider.class.getClassLoader()).stream()
                .map(p -> p.get().name())).contains("mqtt");
    }
}
