package io.pocketsync.examples.fleet;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A fleet of simulated sensors syncing through an MQTT broker to a server node, and a dashboard on
 * WebSocket that receives every reading and prints a per-sensor summary.
 *
 * <p>Arguments: {@code [sensors] [readings-per-sensor]} (default 5 and 20). The broker is
 * {@code PS_MQTT_URI} (default {@code tcp://127.0.0.1:1883}); each run uses its own topic tree, so
 * runs never see each other's messages.
 */
public final class FleetExample {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** The ids of every node of one run, derived from a run id so a test can clean the broker afterwards. */
    record Fleet(String runId, int sensors) {
        String topicRoot() {
            return "pocketsync-fleet-" + runId + "/v1";
        }

        String serverClientId() {
            return "fleet-" + runId + "-server";
        }

        String sensorClientId(int sensor) {
            return "fleet-" + runId + "-sensor-" + sensor;
        }
    }

    /** What a run sent and what the dashboard ended with. */
    record Outcome(List<String> sent, List<String> received, List<SensorSummary> summary) {}

    private FleetExample() {}

    public static void main(String[] args) throws Exception {
        int sensors = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int readings = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path dir = Files.createTempDirectory("pocketsync-fleet-");
        System.out.println("databases in " + dir);
        run(dir, brokerUri(), new Fleet(UUID.randomUUID().toString().substring(0, 8), sensors), readings, System.out);
    }

    /** The broker: {@code PS_MQTT_URI} or the local default. */
    static URI brokerUri() {
        String uri = System.getenv("PS_MQTT_URI");
        return URI.create(uri == null || uri.isBlank() ? "tcp://127.0.0.1:1883" : uri);
    }

    static Outcome run(Path dir, URI broker, Fleet fleet, int readingsPerSensor, PrintStream out) throws Exception {
        String scope = "fleet";                         // the shared dataset of sensors and dashboard
        String token = UUID.randomUUID().toString();

        try (FleetServer server = new FleetServer(dir.resolve("server.db"), broker, fleet.topicRoot(),
                fleet.serverClientId(), scope, token);
                Dashboard dashboard = new Dashboard(dir.resolve("dashboard.db"), server.websocketUri(), scope, token, out)) {
            out.println("server node on MQTT " + broker + " (topics " + fleet.topicRoot() + "/...) and "
                    + server.websocketUri());

            List<Sensor> sensors = new ArrayList<>();
            try {
                for (int i = 1; i <= fleet.sensors(); i++) {
                    sensors.add(new Sensor("sensor-" + i, dir.resolve("sensor-" + i + ".db"), broker, fleet.topicRoot(),
                            fleet.sensorClientId(i), scope, token));
                }
                // Each sensor samples once per simulated minute; all sensors run interleaved.
                long start = System.currentTimeMillis();
                for (int reading = 0; reading < readingsPerSensor; reading++) {
                    for (Sensor sensor : sensors) {
                        sensor.measure(start + reading * 60_000L);
                    }
                }
                long expected = (long) fleet.sensors() * readingsPerSensor;
                await("the dashboard to hold " + expected + " readings", () -> dashboard.received() >= expected);
                await("every sensor's readings to be acknowledged", () -> {
                    for (Sensor sensor : sensors) {
                        if (sensor.pending() > 0) {
                            return false;
                        }
                    }
                    return true;
                });

                out.println("dashboard summary:");
                List<SensorSummary> summary = dashboard.summary();
                summary.forEach(line -> out.println("  " + line));
                List<String> sent = sensors.stream().flatMap(sensor -> sensor.written().stream()).sorted().toList();
                return new Outcome(sent, dashboard.readingIds(), summary);
            }
            finally {
                for (Sensor sensor : sensors) {
                    sensor.close();
                }
            }
        }
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
