package io.pocketsync.it.proof;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker under MQTT devices and the server bridge goes away mid-stream, with devices writing
 * throughout, and comes back on the same port: a private Mosquitto (never the shared one), killed with
 * SIGKILL without persistence (sessions, subscriptions and queued messages are gone) or stopped cleanly
 * with persistence. Devices reconnect faster than the bridge, so their first HELLOs can reach a broker on
 * which nobody subscribes to them yet; nothing may stay pending and every device must end equal to the server.
 */
class MqttBrokerRestartConvergenceIT {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "persistent broker: {0}")
    @ValueSource(booleans = {false, true})
    void devicesConvergeAcrossABrokerRestart(boolean persistent) throws Exception {
        long seed = Long.getLong("pocketsync.seed", 42L);
        try (PrivateServers broker = PrivateServers.mosquitto(dir.resolve("mosquitto"), persistent);
             Topology topology = Topology.start(Topology.Kind.MQTT_SQLITE, dir, Env.redisUri(), broker.uri());
             Fleet fleet = new Fleet(seed, topology, dir, 3).withoutChaos()) {
            fleet.startAll();
            fleet.run(60, false, null);
            fleet.assertConverges(Duration.ofSeconds(45)); // everyone in session and in sync before the broker goes
            fleet.run(30, false, null);
            if (persistent) {
                broker.stop();
            }
            else {
                broker.kill();
            }
            fleet.run(60, false, null); // nothing can be sent: the changes stay pending
            broker.start();
            fleet.run(40, false, null);
            fleet.assertConverges(Duration.ofSeconds(45));
        }
        catch (AssertionError | Exception e) {
            throw new AssertionError(Seeds.replay("MqttBrokerRestartConvergenceIT", seed, "MQTT_SQLITE, persistent broker "
                    + persistent) + ": " + e.getMessage(), e);
        }
    }
}
