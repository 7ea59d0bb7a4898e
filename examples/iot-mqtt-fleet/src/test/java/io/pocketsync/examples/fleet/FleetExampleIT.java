package io.pocketsync.examples.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the fleet against the real broker ({@code PS_MQTT_URI} or 127.0.0.1:1883) in a topic tree of its own. */
class FleetExampleIT {
    private static final int SENSORS = 5;
    private static final int READINGS = 20;

    @TempDir
    Path dir;
    private final FleetExample.Fleet fleet = new FleetExample.Fleet(UUID.randomUUID().toString().substring(0, 8), SENSORS);

    @Test
    void everyReadingReachesItsSensorsScopeAndEverySensorTheConfiguration() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        FleetExample.Outcome outcome;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            outcome = FleetExample.run(dir, FleetExample.brokerUri(), fleet, READINGS, out);
        }

        assertThat(outcome.sent()).hasSize(SENSORS * READINGS).doesNotHaveDuplicates();
        assertThat(outcome.received()).containsExactlyInAnyOrderElementsOf(outcome.sent());
        assertThat(outcome.summary()).hasSize(SENSORS).allSatisfy(line -> assertThat(line.readings()).isEqualTo(READINGS));
        assertThat(outcome.othersReadings()).as("readings of other sensors in a sensor's file").isZero();
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("sensor-5 ", "readings  min", "every 30 s");
    }

    /** The run's clients keep persistent sessions on the broker; a clean-session connect discards each one. */
    @AfterEach
    void forgetBrokerSessions() {
        List<String> clientIds = new ArrayList<>(List.of(fleet.serverClientId()));
        for (int i = 1; i <= SENSORS; i++) {
            clientIds.add(fleet.sensorClientId(i));
        }
        MqttConnectOptions clean = new MqttConnectOptions();
        clean.setCleanSession(true);
        for (String clientId : clientIds) {
            try (MqttClient client = new MqttClient(FleetExample.brokerUri().toString(), clientId, new MemoryPersistence())) {
                client.connect(clean);
                client.disconnect();
            }
            catch (MqttException e) {
                // best effort: the broker expires sessions by itself too
            }
        }
    }
}
