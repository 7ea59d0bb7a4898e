package io.pocketsync.it.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.it.support.GatedClientTransport;
import io.pocketsync.device.CatchUpProgress;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.SyncStatusListener;
import io.pocketsync.core.discovery.Providers;
import io.pocketsync.it.support.SqliteFiles;
import io.pocketsync.it.support.SyncNode;
import io.pocketsync.it.support.TestDevice;
import io.pocketsync.it.support.TestEnv;
import io.pocketsync.it.support.Tokens;
import io.pocketsync.testkit.transport.TestingPluginContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker with a tiny per-client queue (Mosquitto's {@code max_queued_messages 5},
 * {@code max_inflight_messages 1}) silently drops live broadcasts to a device that does not keep up.
 * Correctness must not depend on the broker: the device notices the gap in the sequence range and heals
 * it by catch-up (a later broadcast reveals the gap; when none comes, the device's periodic pull does).
 * The device is made slow by holding its MQTT callback, so it does not acknowledge what
 * the broker sends it.
 */
class MqttBrokerQueueOverflowIT {
    private static final int WRITES = 40;

    @TempDir
    Path dir;
    private Process broker;
    private SyncNode node;
    private TestDevice writer;
    private PocketSyncDevice slow;

    @AfterEach
    void stopAll() throws InterruptedException {
        if (slow != null) {
            slow.close();
        }
        if (writer != null) {
            writer.close();
        }
        if (node != null) {
            node.close();
        }
        if (broker != null) {
            broker.destroyForcibly();
            broker.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void liveChangesTheBrokerDroppedAreHealedByCatchUp() throws Exception {
        String brokerUri = startSmallQueueBroker();
        String topicRoot = TestEnv.uniqueTopicRoot();
        String scope = TestEnv.unique("overflow");
        Tokens tokens = new Tokens();
        node = SyncNode.builder().store(SyncNode.sqliteStore(dir, "overflow")).authenticator(tokens.authenticator())
                .websocket().mqtt(topicRoot, Map.of("uri", brokerUri)).start();
        writer = TestDevice.websocket(dir.resolve("writer.db"), node.websocketUri(), scope, tokens.forScope(scope)).start();

        Path slowDb = dir.resolve("slow.db");
        SqliteFiles.createItems(slowDb);
        ClientTransport mqtt = Providers.clientTransports().get("mqtt").create(PluginConfig.of("transport.mqtt",
                Map.of("topic-root", topicRoot, "reconnect-initial-delay", "100ms", "reconnect-max-delay", "1s")),
                new TestingPluginContext("slow-device"));
        GatedClientTransport gated = new GatedClientTransport(mqtt);
        AtomicInteger catchUpPages = new AtomicInteger();
        slow = PocketSyncDevice.builder().database(slowDb).tables(SqliteFiles.ITEMS).scope(scope).token(tokens.forScope(scope))
                .server(URI.create(brokerUri)).transport(gated)
                // the periodic pull is what notices that the broker dropped the last broadcasts
                .options(io.pocketsync.device.DeviceOptions.DEFAULTS.withCatchUpInterval(Duration.ofSeconds(1)))
                .statusListener(new SyncStatusListener() {
                    @Override
                    public void catchingUp(CatchUpProgress progress) {
                        catchUpPages.incrementAndGet();
                    }
                }).build();
        slow.start();
        writer.insertItem("before", "seen live", 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> "seen live".equals(SqliteFiles.itemName(slowDb, "before")));
        long cursorBefore = slow.cursor();

        try (LiveCounter live = new LiveCounter(brokerUri, topicRoot + "/" + scope + "/" + slow.deviceId() + "/down")) {
            gated.hold();
            Scope theScope = Scope.of(scope);
            long start = node.store().info(theScope).head();
            for (int i = 0; i < WRITES; i++) {
                // one write, one push, one broadcast: wait for each to be stored before the next
                writer.insertItem("w" + i, "write " + i, i);
                long expected = start + i + 1;
                await().atMost(Duration.ofSeconds(30)).until(() -> node.store().info(theScope).head() >= expected);
            }
            // The observer is subscribed to the slow device's topic: once it saw every broadcast, the broker
            // has offered them all to the slow device and dropped what did not fit its queue.
            await().atMost(Duration.ofSeconds(30)).until(() -> live.count() >= WRITES);
            int pagesBeforeRelease = catchUpPages.get();
            gated.release();

            await().atMost(Duration.ofSeconds(60)).until(() -> SqliteFiles.rows(slowDb, SqliteFiles.ITEMS).size() == WRITES + 1);
            long head = node.store().info(Scope.of(scope)).head();
            await().atMost(Duration.ofSeconds(30)).until(() -> slow.cursor() == head);
            assertThat(slow.cursor()).isGreaterThan(cursorBefore);
            // Healing went through catch-up: the broker had dropped live messages.
            assertThat(gated.liveDelivered()).as("live broadcasts that reached the device: the broker dropped the rest")
                    .isLessThan(WRITES);
            assertThat(catchUpPages.get()).as("catch-up pages after the release").isGreaterThan(pagesBeforeRelease);
            assertThat(SqliteFiles.itemName(slowDb, "w" + (WRITES - 1))).isEqualTo("write " + (WRITES - 1));
        }
    }

    /** A private Mosquitto whose per-client queue holds 5 messages with 1 in flight. */
    private String startSmallQueueBroker() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            port = probe.getLocalPort();
        }
        Path config = dir.resolve("mosquitto.conf");
        Files.writeString(config, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n"
                + "max_queued_messages 5\nmax_inflight_messages 1\n");
        broker = new ProcessBuilder(mosquitto(), "-c", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        int bound = port;
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (Socket socket = new Socket("127.0.0.1", bound)) {
                return true;
            }
            catch (IOException e) {
                return false;
            }
        });
        return "tcp://127.0.0.1:" + port;
    }

    private static String mosquitto() {
        return Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : "mosquitto";
    }

    /** Counts the messages published on one topic. */
    private static final class LiveCounter implements AutoCloseable {
        private final MqttClient client;
        private final AtomicInteger count = new AtomicInteger();

        LiveCounter(String uri, String topic) throws Exception {
            client = new MqttClient(uri, "overflow-observer-" + System.nanoTime(), new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(true);
            client.connect(options);
            client.subscribe(topic, 0, (t, message) -> count.incrementAndGet());
        }

        int count() {
            return count.get();
        }

        @Override
        public void close() throws Exception {
            client.disconnect();
            client.close();
        }
    }
}
