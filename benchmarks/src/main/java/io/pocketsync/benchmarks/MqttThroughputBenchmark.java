package io.pocketsync.benchmarks;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * MQTT end to end: changes/s from a commit of N rows on device A until device B has applied them all,
 * through the broker and the server, against raw Paho QoS 1 publish -> subscribe of N messages of the
 * same size through the same broker in the same run. Target >= 1.0x (PocketSync batches).
 *
 * <p>The raw messages are as large as one change inside a PocketSync message (its CBOR encoding, measured
 * below), go out QoS 1 like PocketSync's, and are paced so that at most 500 are between publisher and
 * subscriber: the broker's per-client queue (Mosquitto: 1000 by default) would drop more, and a baseline
 * that loses messages is no baseline. PocketSync needs no pacing there: its batches are few and large.
 * Both sides connect before the clock starts (the devices' HELLO and WELCOME included).
 */
final class MqttThroughputBenchmark {

    private final Path dir;
    private final String brokerUri;
    private final int changes;

    MqttThroughputBenchmark(Path dir, String brokerUri, int changes) {
        this.dir = dir;
        this.brokerUri = brokerUri;
        this.changes = changes;
    }

    Measurement run() throws Exception {
        int bytes = bytesPerChange();
        double raw = rawPaho(bytes);
        double synced = endToEnd();
        return new Measurement("MQTT end to end, " + changes + " changes A -> broker -> server -> broker -> B", synced, raw,
                "changes/s", "raw Paho QoS 1 publish -> subscribe, " + bytes + "-byte messages", true, 1.0);
    }

    private double endToEnd() throws Exception {
        String root = "psbench-" + UUID.randomUUID().toString().substring(0, 8) + "/v1";
        String scope = "bench-mqtt";
        Map<String, String> client = Map.of("topic-root", root);
        try (BenchServer server = new BenchServer(dir.resolve("mqtt"), scope, brokerUri, root);
                BenchDevice a = new BenchDevice(dir.resolve("mqtt-a.db"), java.net.URI.create(brokerUri), scope, "mqtt", client);
                BenchDevice b = new BenchDevice(dir.resolve("mqtt-b.db"), java.net.URI.create(brokerUri), scope, "mqtt", client)) {
            a.device.start();
            b.device.start();
            // Both devices connected and welcomed before the clock starts, as the raw clients are.
            server.awaitSessions(2, Duration.ofSeconds(30));
            CountDownLatch applied = new CountDownLatch(1);
            b.device.watch("items", (table, remote) -> {
                try {
                    if (remote && b.count() >= changes) {
                        applied.countDown();
                    }
                }
                catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long start = System.nanoTime();
            try (Connection connection = a.connect(); PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO items (id, name, qty, price, note) VALUES (?, ?, ?, ?, ?)")) {
                connection.setAutoCommit(false);
                for (int i = 0; i < changes; i++) {
                    insert.setString(1, "item-" + i);
                    insert.setString(2, "name " + i);
                    insert.setInt(3, i);
                    insert.setDouble(4, i * 1.5);
                    insert.setString(5, "note for row " + i);
                    insert.addBatch();
                }
                insert.executeBatch();
                connection.commit();
            }
            a.device.syncNow();
            if (!applied.await(300, TimeUnit.SECONDS)) {
                throw new IllegalStateException("device B did not receive all changes: " + b.count());
            }
            return changes / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** The CBOR bytes one benchmark row's change takes inside a PUSH of 100 such changes. */
    private static int bytesPerChange() {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            changes.add(new Change(UUID.randomUUID().toString().replace("-", ""), "items",
                    UUID.randomUUID().toString().replace("-", ""), Op.INSERT,
                    Map.of("id", "item-" + (5000 + i), "name", "name " + (5000 + i), "qty", 5000L + i, "price", (5000 + i) * 1.5,
                            "note", "note for row " + (5000 + i)),
                    List.of(), Hlc.of(System.currentTimeMillis(), 0), "0123456789abcdef0123456789abcdef"));
        }
        byte[] encoded = new BenchContext("bench").codec("cbor").encode(new Push(ProtocolVersion.CURRENT, "batch", changes));
        return encoded.length / changes.size();
    }

    private double rawPaho(int payloadBytes) throws Exception {
        String topic = "psbench-raw-" + UUID.randomUUID();
        AtomicInteger received = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(1);
        MqttClient subscriber = new MqttClient(brokerUri, "psbench-sub-" + UUID.randomUUID(), new MemoryPersistence());
        MqttAsyncClient publisher = new MqttAsyncClient(brokerUri, "psbench-pub-" + UUID.randomUUID(), new MemoryPersistence());
        try {
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(true);
            options.setMaxInflight(1000);
            subscriber.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {}

                @Override
                public void messageArrived(String t, MqttMessage message) {
                    if (received.incrementAndGet() == changes) {
                        all.countDown();
                    }
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {}
            });
            subscriber.connect(options);
            subscriber.subscribe(topic, 1);
            publisher.connect(options).waitForCompletion(10_000);
            byte[] payload = new byte[payloadBytes];
            long start = System.nanoTime();
            for (int i = 0; i < changes; i++) {
                // Keep at most 500 messages between publisher and subscriber: the broker's default queue
                // (1000 per client) drops anything beyond, and a baseline that loses messages is no baseline.
                while (publisher.getInFlightMessageCount() >= 900 || i - received.get() >= 500) {
                    Thread.onSpinWait();
                }
                publisher.publish(topic, payload, 1, false);
            }
            if (!all.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("raw subscriber got " + received.get() + " of " + changes
                        + " (broker queue limit?)");
            }
            return changes / ((System.nanoTime() - start) / 1e9);
        }
        finally {
            publisher.disconnect().waitForCompletion(5_000);
            publisher.close();
            subscriber.disconnect();
            subscriber.close();
        }
    }

}
