package io.pocketsync.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
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
 *
 * <p>Both sides connect once (the devices' HELLO and WELCOME included) and then run rounds of N like the
 * other benchmarks ({@link Timing#interleaved}): warm-up rounds ({@link #WARMUP_ROUNDS}) each, then the
 * median of the measured rounds, alternating. Without the warm-up the figure measured mostly the JIT compiling PocketSync's
 * code paths during the first second (a trace showed the server storing a batch of 500 changes in 74 ms
 * in the first round, against 4-20 ms in the fifth). The harness itself stays out of the way: B's rows are
 * checked by key after each apply, not counted, and the raw publisher waits on a semaphore instead of
 * spinning, which took a core from the broker and the subscriber.
 */
final class MqttThroughputBenchmark {
    /**
     * Rounds of each side before the measured ones. The JIT keeps compiling PocketSync's code paths for about
     * 200,000 changes: forty rounds of 10,000 on one JVM ran at 18-21k changes/s for the first ten and 16-25k
     * for the next ten, then 24-34k (session 5; a profile after five rounds still found a third of the JVM's
     * CPU in the C2 compiler). Most of that code runs once per batch of up to 1000 changes, so it reaches the
     * compiler's thresholds late. The raw client showed no trend over forty rounds (14-41k messages/s in no
     * order). Twenty warm-up rounds measure both at their steady state, the figure for a device or server that
     * runs for hours; docs/benchmarks.md gives the cold figure next to it.
     */
    private static final int WARMUP_ROUNDS = 20;
    /**
     * Measured rounds of each side, whatever the suite's round count: the raw baseline's rounds spread from 14k
     * to 41k messages/s (its two modes, see docs/benchmarks.md), and a median of five of them moved the ratio
     * by a third from run to run.
     */
    private static final int MEASURED_ROUNDS = 9;

    private final Path dir;
    private final String brokerUri;
    private final int changes;

    MqttThroughputBenchmark(Path dir, String brokerUri, int changes) {
        this.dir = dir;
        this.brokerUri = brokerUri;
        this.changes = changes;
    }

    Measurement run(boolean quick) throws Exception {
        int bytes = Workload.bytesPerChange("cbor");
        double[] result;
        try (RawPaho raw = new RawPaho(bytes); Synced synced = new Synced()) {
            result = quick ? Timing.interleaved(3, 3, synced::round, raw::round)
                    : Timing.interleaved(WARMUP_ROUNDS, MEASURED_ROUNDS, synced::round, raw::round);
        }
        return new Measurement("MQTT end to end, " + changes + " changes A -> broker -> server -> broker -> B", result[0],
                result[1], "changes/s", "raw Paho QoS 1 publish -> subscribe, " + bytes + "-byte messages", true, 1.0);
    }

    /** A server and devices A and B on MQTT; each round A commits N new rows and B applies them. */
    private final class Synced implements AutoCloseable {
        private final BenchServer server;
        private final BenchDevice a;
        private final BenchDevice b;
        /** One token per remote apply on B. */
        private final BlockingQueue<Boolean> applies = new LinkedBlockingQueue<>();
        /** B's database, read by the measuring thread only. */
        private final Connection bReader;
        private int round;

        Synced() throws Exception {
            String root = "psbench-" + UUID.randomUUID().toString().substring(0, 8) + "/v1";
            String scope = "bench-mqtt";
            Map<String, String> client = Map.of("topic-root", root);
            // what is opened is closed again if a later step fails (a broker that refuses the devices, say)
            List<AutoCloseable> opened = new ArrayList<>();
            try {
                server = opened(opened, new BenchServer(dir.resolve("mqtt"), scope, brokerUri, root));
                a = opened(opened, new BenchDevice(dir.resolve("mqtt-a.db"), java.net.URI.create(brokerUri), scope, "mqtt", client));
                b = opened(opened, new BenchDevice(dir.resolve("mqtt-b.db"), java.net.URI.create(brokerUri), scope, "mqtt", client));
                a.device.start();
                b.device.start();
                // Both devices connected and welcomed before any clock starts, as the raw clients are.
                server.awaitSessions(2, Duration.ofSeconds(30));
                bReader = b.connect();
            }
            catch (Exception | Error e) {
                for (int i = opened.size() - 1; i >= 0; i--) {
                    try {
                        opened.get(i).close();
                    }
                    catch (Exception suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
            b.device.watch("items", (table, remote) -> {
                if (remote) {
                    applies.add(Boolean.TRUE);
                }
            });
        }

        Timing.Sample round() throws Exception {
            int r = round++;
            long target = (long) changes * (r + 1);
            long start = System.nanoTime();
            a.insertRows(r, changes);
            a.device.syncNow();
            // After each apply on B, look up the round's last row by key (a count of the whole table, per apply,
            // cost the measurement more than some PocketSync stages); once it is there, count once to be sure.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            try (PreparedStatement last = bReader.prepareStatement("SELECT count(*) FROM items WHERE id = ?");
                    PreparedStatement all = bReader.prepareStatement("SELECT count(*) FROM items")) {
                last.setString(1, "item-" + r + "-" + (changes - 1));
                while (true) {
                    if (applies.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS) == null) {
                        throw new IllegalStateException("device B did not receive all changes: " + b.count() + " of " + target);
                    }
                    if (countOf(last) > 0 && countOf(all) >= target) {
                        return Timing.Sample.since(start, changes);
                    }
                }
            }
        }

        private static <T extends AutoCloseable> T opened(List<AutoCloseable> opened, T resource) {
            opened.add(resource);
            return resource;
        }

        private static long countOf(PreparedStatement query) throws Exception {
            try (var rs = query.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }

        @Override
        public void close() throws Exception {
            try (server; a; b; bReader) {
                // closes B, A, then the server
            }
        }
    }

    /** Raw Paho: one QoS 1 publisher and one subscriber of a topic; each round sends N messages. */
    private final class RawPaho implements AutoCloseable {
        private final String topic = "psbench-raw-" + UUID.randomUUID();
        private final byte[] payload;
        private final AtomicInteger received = new AtomicInteger();
        /** Messages that may still be between publisher and subscriber (see the class comment). */
        private final Semaphore window = new Semaphore(500);
        /** Publishes the broker has not acknowledged yet: Paho refuses more than its in-flight limit (1000). */
        private final Semaphore unacknowledged = new Semaphore(900);
        private final MqttClient subscriber;
        private final MqttAsyncClient publisher;
        private volatile CountDownLatch all;
        private volatile int expected;

        RawPaho(int payloadBytes) throws Exception {
            payload = new byte[payloadBytes];
            subscriber = new MqttClient(brokerUri, "psbench-sub-" + UUID.randomUUID(), new MemoryPersistence());
            publisher = new MqttAsyncClient(brokerUri, "psbench-pub-" + UUID.randomUUID(), new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(true);
            options.setMaxInflight(1000);
            subscriber.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {}

                @Override
                public void messageArrived(String t, MqttMessage message) {
                    window.release();
                    if (received.incrementAndGet() == expected) {
                        all.countDown();
                    }
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {}
            });
            publisher.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {}

                @Override
                public void messageArrived(String t, MqttMessage message) {}

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                    unacknowledged.release();
                }
            });
            subscriber.connect(options);
            subscriber.subscribe(topic, 1);
            publisher.connect(options).waitForCompletion(10_000);
        }

        /**
         * One round of N messages. A round the broker lost messages in is measured again (at most twice): the
         * system Mosquitto dropped some for the subscriber ("Outgoing messages are being dropped") in about one
         * run of five once the benchmark ran 29 rounds a side, although at most 500 were ever between publisher
         * and subscriber by this client's count. Its missing messages give their window places back.
         */
        Timing.Sample round() throws Exception {
            for (int attempt = 1; ; attempt++) {
                Timing.Sample sample = attempt();
                if (sample != null) {
                    return sample;
                }
                if (attempt == 3) {
                    throw new IllegalStateException("the broker lost raw messages in three rounds in a row (broker queue limit?)");
                }
            }
        }

        /** One round, or null when messages went missing (nothing arrived for 10 s, not all had). */
        private Timing.Sample attempt() throws Exception {
            int before = received.get();
            CountDownLatch done = new CountDownLatch(1);
            all = done;
            expected = before + changes;
            long start = System.nanoTime();
            for (int i = 0; i < changes; i++) {
                // Keep at most 500 messages between publisher and subscriber: the broker's default queue
                // (1000 per client) drops anything beyond, and a baseline that loses messages is no baseline.
                // Blocking waits, not a spin: spinning took a core from the broker and the subscriber on a 2-core
                // machine.
                window.acquire();
                unacknowledged.acquire();
                publisher.publish(topic, payload, 1, false);
            }
            int seen = received.get();
            while (!done.await(10, TimeUnit.SECONDS)) {
                if (received.get() == seen) {
                    int missing = before + changes - seen;
                    System.err.printf("raw subscriber got %d of %d messages (the broker dropped %d); round measured again%n",
                            seen - before, changes, missing);
                    window.release(missing);
                    received.addAndGet(missing); // the next round counts from the same place as the publisher
                    return null;
                }
                seen = received.get();
            }
            return Timing.Sample.since(start, changes);
        }

        @Override
        public void close() throws Exception {
            publisher.disconnect().waitForCompletion(5_000);
            publisher.close();
            subscriber.disconnect();
            subscriber.close();
        }
    }
}
