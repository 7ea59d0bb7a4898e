package io.pocketsync.it.proof;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device sync loop (docs/protocol.md 3.1-3.3) under network faults, through a {@link TcpProxy} per
 * device: one device's network is cut (connections dropped and refused), one sits behind a slow link, one
 * behind a half-open link (bytes swallowed, sockets left open) — all while every device keeps writing; after
 * the network heals, the devices resume and converge with the server.
 */
class NetworkFaultIT {
    @TempDir
    Path dir;

    @Test
    void devicesResumeAndConvergeAfterCutSlowAndHalfOpenLinks() throws Exception {
        long seed = Long.getLong("pocketsync.seed", 21L);
        List<TcpProxy> proxies = new ArrayList<>();
        try (Topology topology = Topology.start(Topology.Kind.WS_SQLITE, dir)) {
            int serverPort = topology.nodes().get(0).websocketUri().getPort();
            for (int i = 0; i < 3; i++) {
                proxies.add(new TcpProxy(serverPort));
            }
            try (Fleet fleet = new Fleet(seed, topology, dir, 3,
                    i -> URI.create("ws://127.0.0.1:" + proxies.get(i).port() + "/sync")).withoutChaos()) {
                fleet.startAll();
                fleet.run(40, false, null);
                proxies.get(0).mode(TcpProxy.Mode.DROP);
                proxies.get(1).delay(80);
                proxies.get(1).mode(TcpProxy.Mode.DELAY);
                proxies.get(2).mode(TcpProxy.Mode.HALF_OPEN);
                // keep writing long enough for heartbeats to notice the half-open link (device heartbeat 2 s);
                // the swallowed bytes are gone, so only a new connection heals that device
                long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (System.nanoTime() < until) {
                    fleet.step(false);
                }
                proxies.forEach(proxy -> proxy.mode(TcpProxy.Mode.FORWARD));
                fleet.run(20, false, null);
                fleet.assertConverges(Duration.ofSeconds(60));
            }
            catch (AssertionError | Exception e) {
                throw new AssertionError(Seeds.replay("NetworkFaultIT", seed, "WS_SQLITE") + ": " + e.getMessage(), e);
            }
        }
        finally {
            for (TcpProxy proxy : proxies) {
                proxy.close();
            }
        }
    }
}
