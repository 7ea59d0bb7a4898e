package io.pocketsync.it.proof;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of the servers the sync server depends on, mid-stream, with devices writing throughout:
 * a private Redis (AOF, fsync always) killed with SIGKILL and restarted under two server nodes; the
 * devices retry and converge with the server. A Mosquitto restart under MQTT devices is
 * {@link MqttBrokerRestartConvergenceIT}.
 */
class StoreAndBrokerRestartIT {
    @TempDir
    Path dir;

    @Test
    void devicesConvergeAcrossARedisKillAndRestart() throws Exception {
        long seed = Long.getLong("pocketsync.seed", 41L);
        try (PrivateServers redis = PrivateServers.redis(dir.resolve("redis"));
             Topology topology = Topology.start(Topology.Kind.WS_REDIS_TWO_NODES, dir, redis.uri(), Env.mqttUri());
             Fleet fleet = new Fleet(seed, topology, dir, 3).withoutChaos()) {
            fleet.startAll();
            fleet.run(80, false, null);
            redis.kill();
            fleet.run(80, false, null); // pushes fail with STORE_UNAVAILABLE and stay pending
            redis.start();
            fleet.run(40, false, null);
            fleet.assertConverges(Duration.ofSeconds(60));
        }
        catch (AssertionError | Exception e) {
            throw new AssertionError(Seeds.replay("StoreAndBrokerRestartIT", seed, "WS_REDIS_TWO_NODES") + ": " + e.getMessage(), e);
        }
    }
}
