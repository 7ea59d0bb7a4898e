package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import io.pocketsync.server.engine.auth.StaticTokenAuthenticator;
import io.pocketsync.testkit.store.InMemoryServerStore;
import io.pocketsync.testkit.transport.InMemoryNetwork;
import io.pocketsync.testkit.transport.InMemoryServerTransport;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine behind a real (in-JVM) transport, with devices pushing concurrently from their own threads. */
class InMemoryNetworkServerTest {
    private static final String SCOPE = "scope-net";

    private final InMemoryServerStore store = new InMemoryServerStore();
    private final InMemoryNetwork network = new InMemoryNetwork();
    private final SyncServer server = SyncServer.builder().store(store)
            .authenticator(StaticTokenAuthenticator.parse(SCOPE + ":tok"))
            .options(ServerOptions.builder().nodeId("net-node").workerThreads(2).build()).build();
    private final List<ClientTransport> clients = new ArrayList<>();

    @AfterEach
    void close() {
        server.close();
        network.close();
        store.close();
    }

    @Test
    void concurrentDevicesAllGetAcksAndEveryOtherDeviceSeesEveryBatch() {
        server.start();
        InMemoryServerTransport transport = network.serverTransport();
        transport.start(server::accept);

        int devices = 4;
        int batches = 15;
        List<List<Message>> inboxes = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            inboxes.add(connect("dev-" + d));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> inboxes.stream().allMatch(in -> count(in, Welcome.class) == 1));

        List<Thread> writers = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            ClientTransport client = clients.get(d);
            String device = "dev-" + d;
            writers.add(new Thread(() -> {
                for (int b = 0; b < batches; b++) {
                    Change change = new Change(device + "-c" + b, "items", device + "-row", b == 0 ? Op.INSERT : Op.UPDATE,
                            Map.of("n", (long) b), b == 0 ? List.of() : List.of("n"), Hlc.of(System.currentTimeMillis(), b), device);
                    client.send(new Push(ProtocolVersion.CURRENT, device + "-b" + b, List.of(change)));
                }
            }));
        }
        writers.forEach(Thread::start);

        await().atMost(Duration.ofSeconds(20)).until(() -> inboxes.stream().allMatch(in -> count(in, Ack.class) == batches));
        assertThat(store.info(Scope.of(SCOPE)).head()).isEqualTo((long) devices * batches);
        for (List<Message> inbox : inboxes) {
            assertThat(inbox.stream().filter(Ack.class::isInstance).map(Ack.class::cast)
                    .flatMap(a -> a.results().stream())).allMatch(r -> r.status() == ChangeStatus.APPLIED);
        }
        // every device hears every batch once (its own as an empty range) and the ranges tile 1..head
        await().atMost(Duration.ofSeconds(10)).until(() -> inboxes.stream().allMatch(in -> live(in).size() == devices * batches));
        for (int d = 0; d < devices; d++) {
            List<Changes> live = live(inboxes.get(d));
            assertThat(live.stream().mapToLong(c -> c.cursor() - c.fromCursor()).sum()).isEqualTo((long) devices * batches);
            String device = "dev-" + d;
            assertThat(live.stream().flatMap(c -> c.changes().stream())).noneMatch(c -> c.deviceId().equals(device))
                    .hasSize((devices - 1) * batches);
        }
        assertThat(server.sessionCount()).isEqualTo(devices);
    }

    private List<Message> connect(String device) {
        List<Message> inbox = new CopyOnWriteArrayList<>();
        ClientTransport client = network.clientTransport();
        clients.add(client);
        client.start(new Endpoint(URI.create("mem://server"), SCOPE, device), new ClientTransport.Listener() {
            @Override
            public void onConnected() {
                client.send(new Hello(ProtocolVersion.CURRENT, device, SCOPE, "tok", 0, Hlc.ZERO));
            }

            @Override
            public void onMessage(Message message) {
                inbox.add(message);
            }
        });
        return inbox;
    }

    private static long count(List<Message> inbox, Class<? extends Message> type) {
        return inbox.stream().filter(type::isInstance).count();
    }

    private static List<Changes> live(List<Message> inbox) {
        return inbox.stream().filter(Changes.class::isInstance).map(Changes.class::cast)
                .filter(c -> c.mode() == ChangesMode.LIVE).toList();
    }
}
