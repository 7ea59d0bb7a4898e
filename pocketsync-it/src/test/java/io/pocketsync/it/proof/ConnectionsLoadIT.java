package io.pocketsync.it.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.testkit.transport.TestingPluginContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many concurrent devices per server node: one node (SQLite store, WebSocket) holding 200
 * lightweight protocol clients in one scope while 10 of them push steadily; no client sees an error and
 * every client receives every change pushed by the others. The figures live in
 * {@code benchmarks ConnectionsBenchmark}.
 */
class ConnectionsLoadIT {
    private static final int CLIENTS = Integer.getInteger("pocketsync.load.clients", 200);
    private static final int WRITERS = 10;
    private static final int BATCHES_PER_WRITER = 10;
    private static final int CHANGES_PER_BATCH = 5;

    @TempDir
    Path dir;

    @Test
    void oneNodeBroadcastsEveryChangeToEveryConnectedDevice() throws Exception {
        Codec json = new TestingPluginContext("load").codec("json");
        List<RawSyncClient> clients = new ArrayList<>();
        try (Topology topology = Topology.start(Topology.Kind.WS_SQLITE, dir)) {
            String scope = topology.scope().name();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    RawSyncClient client = new RawSyncClient(topology.deviceUri(0), json, "load-" + i, scope);
                    client.connect();
                    clients.add(client);
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> clients.stream().allMatch(c -> c.welcomed));
                assertThat(topology.nodes().get(0).server().sessionCount()).isEqualTo(CLIENTS);

                Map<Integer, Set<String>> pushedBy = new java.util.HashMap<>();
                for (int batch = 0; batch < BATCHES_PER_WRITER; batch++) {
                    for (int writer = 0; writer < WRITERS; writer++) {
                        List<Change> changes = new ArrayList<>();
                        for (int i = 0; i < CHANGES_PER_BATCH; i++) {
                            String id = "c-" + writer + "-" + batch + "-" + i;
                            changes.add(new Change(id, "item", "g-" + writer + "-" + batch + "-" + i, Op.INSERT,
                                    Map.of("id", id, "qty", (long) i), List.of(), Hlc.of(System.currentTimeMillis(), 0),
                                    "load-" + writer));
                            pushedBy.computeIfAbsent(writer, w -> new HashSet<>()).add(id);
                        }
                        clients.get(writer).send(new Push(ProtocolVersion.CURRENT, UUID.randomUUID().toString(), changes));
                    }
                }
                Set<String> all = new HashSet<>();
                pushedBy.values().forEach(all::addAll);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                    for (int i = 0; i < CLIENTS; i++) {
                        Set<String> expected = new HashSet<>(all);
                        if (pushedBy.containsKey(i)) {
                            expected.removeAll(pushedBy.get(i));
                        }
                        assertThat(clients.get(i).received).as("client %d", i).containsAll(expected);
                    }
                });
                for (RawSyncClient client : clients) {
                    assertThat(client.errors.get()).as("errors of a client: %s", client.lastError).isZero();
                }
            }
            finally {
                for (RawSyncClient client : clients) {
                    client.close();
                }
            }
        }
    }
}
