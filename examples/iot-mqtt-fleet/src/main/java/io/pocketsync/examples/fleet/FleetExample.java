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
 * A fleet of simulated sensors syncing through an MQTT broker to a server node, each into its own scope, each
 * reading the fleet's configuration from a scope it may only read (both scopes on one MQTT connection); an operator's
 * dashboard on WebSocket writes the configuration and prints a per-sensor summary from the server.
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

    /**
     * What a run sent, what the server ended with, and how many readings of other sensors the sensors' files hold
     * (none: each sensor's scope is its own).
     */
    record Outcome(List<String> sent, List<String> received, List<SensorSummary> summary, long othersReadings) {}

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
        String configScope = "fleet-config";            // the fleet's configuration: the operator writes, sensors read
        String operatorToken = UUID.randomUUID().toString();
        String sensorConfigToken = UUID.randomUUID().toString();
        List<String> names = new ArrayList<>();
        List<String> tokens = new ArrayList<>(List.of(configScope + ":" + operatorToken));
        for (int i = 1; i <= fleet.sensors(); i++) {
            names.add("sensor-" + i);                   // each sensor's own scope is named as the sensor
            tokens.add("sensor-" + i + ":" + UUID.randomUUID());
        }

        try (FleetServer server = new FleetServer(dir.resolve("server.db"), broker, fleet.topicRoot(),
                fleet.serverClientId(), String.join(",", tokens), configScope + ":" + sensorConfigToken);
                Dashboard dashboard = new Dashboard(dir.resolve("dashboard.db"), server.websocketUri(), configScope,
                        operatorToken, server.store())) {
            out.println("server node on MQTT " + broker + " (topics " + fleet.topicRoot() + "/...) and "
                    + server.websocketUri());
            dashboard.configure("sample-interval-seconds", "30");

            List<Sensor> sensors = new ArrayList<>();
            try {
                for (int i = 1; i <= fleet.sensors(); i++) {
                    String token = tokens.get(i).substring(tokens.get(i).indexOf(':') + 1);
                    sensors.add(new Sensor(names.get(i - 1), dir.resolve("sensor-" + i + ".db"), broker, fleet.topicRoot(),
                            fleet.sensorClientId(i), token, configScope, sensorConfigToken));
                }
                await("every sensor to receive the fleet's configuration", () -> {
                    for (Sensor sensor : sensors) {
                        if (sensor.setting("sample-interval-seconds") == null) {
                            return false;
                        }
                    }
                    return true;
                });
                out.println("every sensor samples every " + sensors.get(0).setting("sample-interval-seconds") + " s");
                // Each sensor samples at the configured interval (simulated time); all sensors run interleaved.
                long interval = Long.parseLong(sensors.get(0).setting("sample-interval-seconds")) * 1_000L;
                long start = System.currentTimeMillis();
                for (int reading = 0; reading < readingsPerSensor; reading++) {
                    for (Sensor sensor : sensors) {
                        sensor.measure(start + reading * interval);
                    }
                }
                long expected = (long) fleet.sensors() * readingsPerSensor;
                await("every sensor's readings to be acknowledged", () -> {
                    for (Sensor sensor : sensors) {
                        if (sensor.pending() > 0) {
                            return false;
                        }
                    }
                    return dashboard.readingIds(names).size() >= expected;
                });

                out.println("dashboard summary (from the server, one scope per sensor):");
                List<SensorSummary> summary = dashboard.summary(names);
                summary.forEach(line -> out.println("  " + line));
                List<String> sent = sensors.stream().flatMap(sensor -> sensor.written().stream()).sorted().toList();
                long others = 0;
                for (Sensor sensor : sensors) {
                    others += sensor.othersReadings();
                }
                return new Outcome(sent, dashboard.readingIds(names), summary, others);
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
