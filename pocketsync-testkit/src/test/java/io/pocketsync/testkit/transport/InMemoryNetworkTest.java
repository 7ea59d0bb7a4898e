package io.pocketsync.testkit.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Connection;
import io.pocketsync.api.transport.ConnectionListener;
import io.pocketsync.api.transport.Endpoint;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InMemoryNetworkTest {
    private static final int V = ProtocolVersion.CURRENT;

    private final InMemoryNetwork network = new InMemoryNetwork(4);
    private final RecordingServer server = new RecordingServer();

    @AfterEach
    void closeNetwork() {
        network.close();
    }

    @Test
    void carriesMessagesBothWaysInOrderOffTheCallersThread() {
        network.serverTransport().start(server);
        RecordingClient client = connect("dev-a");

        for (int i = 0; i < 50; i++) {
            assertThat(client.transport.send(new Ping(V, i))).isTrue();
        }
        await().until(() -> server.received.size() == 50);
        assertThat(server.received).extracting(m -> ((Ping) m).nonce()).containsExactlyElementsOf(range(50));
        assertThat(server.threads).allMatch(name -> name.startsWith("mem-up-dev-a"));

        Connection connection = server.connections.get(0);
        for (int i = 0; i < 3; i++) {
            assertThat(connection.send(new Pong(V, i))).isTrue();
        }
        await().until(() -> client.received.size() == 3);
        assertThat(client.received).extracting(m -> ((Pong) m).nonce()).containsExactly(0L, 1L, 2L);
        assertThat(client.threads).allMatch(name -> name.startsWith("mem-down-dev-a"));
        assertThat(connection.transport()).isEqualTo("in-memory");
        assertThat(connection.remoteAddress()).contains("dev-a");
    }

    @Test
    void aCutConnectionIsReportedOnBothSidesAndTheClientReconnects() {
        network.serverTransport().start(server);
        RecordingClient client = connect("dev-a");

        network.disconnect("dev-a");

        await().until(() -> client.events.contains("disconnected:TRANSPORT_CLOSED"));
        await().until(() -> server.closed.size() == 1);
        await().until(() -> client.events.stream().filter("connected"::equals).count() == 2);
        await().until(() -> server.connections.size() == 2 && server.connections.get(1).isOpen());
        assertThat(server.connections.get(0).isOpen()).isFalse();
        assertThat(server.connections.get(0).send(new Pong(V, 1))).isFalse();
    }

    @Test
    void anOfflineDeviceStaysOfflineWhileOthersConnect() {
        network.serverTransport().start(server);
        RecordingClient a = connect("dev-a");
        network.setOnline("dev-a", false);
        await().until(() -> !a.transport.isConnected());
        assertThat(a.transport.send(new Ping(V, 1))).isFalse();

        RecordingClient b = connect("dev-b");
        assertThat(network.isConnected("dev-a")).isFalse();

        network.setOnline("dev-a", true);
        await().until(a.transport::isConnected);
        assertThat(b.transport.isConnected()).isTrue();
        assertThat(network.connectionCount()).isEqualTo(2);
    }

    @Test
    void theWholeNetworkGoesDownAndComesBack() {
        network.serverTransport().start(server);
        RecordingClient a = connect("dev-a");
        RecordingClient b = connect("dev-b");

        network.setOnline(false);
        await().until(() -> !a.transport.isConnected() && !b.transport.isConnected());
        assertThat(network.isOnline()).isFalse();
        assertThat(network.connectionCount()).isZero();

        network.setOnline(true);
        await().until(() -> a.transport.isConnected() && b.transport.isConnected());
        assertThat(network.connectionCount()).isEqualTo(2);
    }

    @Test
    void aClientStartedBeforeTheServerConnectsWhenTheServerStarts() {
        RecordingClient client = start("dev-a");
        assertThat(client.transport.isConnected()).isFalse();

        network.serverTransport().start(server);

        await().until(client.transport::isConnected);
    }

    @Test
    void aFullOutboundQueueDropsMessagesThenAsksTheDeviceToCatchUp() throws InterruptedException {
        network.serverTransport().start(server);
        RecordingClient client = connect("dev-a");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        client.onMessage = message -> {
            blocked.countDown();
            awaitQuietly(release);
        };
        Connection connection = server.connections.get(0);

        List<Boolean> accepted = new ArrayList<>();
        accepted.add(connection.send(new Pong(V, 0)));
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i < 7; i++) {
            accepted.add(connection.send(new Pong(V, i)));
        }
        release.countDown();

        // Capacity 4: the message being delivered still holds its slot, so 1..3 fit and 4..6 are dropped.
        assertThat(accepted).containsExactly(true, true, true, true, false, false, false);
        await().until(() -> client.received.size() == 5);
        assertThat(client.received.subList(0, 4)).extracting(m -> ((Pong) m).nonce()).containsExactly(0L, 1L, 2L, 3L);
        assertThat(client.received.get(4)).isInstanceOfSatisfying(ErrorMessage.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CATCH_UP_REQUIRED));
        assertThat(connection.send(new Pong(V, 9))).isTrue();
        await().until(() -> client.received.size() == 6);
    }

    @Test
    void closingAConnectionWithACodeSendsTheErrorFirst() {
        network.serverTransport().start(server);
        RecordingClient client = connect("dev-a");
        Connection connection = server.connections.get(0);
        connection.send(new Pong(V, 1));

        connection.close(ErrorCode.AUTH_FAILED, "bad token");

        await().until(() -> client.events.contains("disconnected:AUTH_FAILED"));
        assertThat(client.received).hasSize(2);
        assertThat(client.received.get(1)).isInstanceOfSatisfying(ErrorMessage.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED));
        assertThat(client.events.indexOf("disconnected:AUTH_FAILED")).isGreaterThan(client.events.indexOf("message"));
    }

    @Test
    void closingTheClientClosesItsConnection() {
        network.serverTransport().start(server);
        RecordingClient client = connect("dev-a");

        client.transport.close();

        await().until(() -> server.closed.size() == 1);
        assertThat(client.transport.isConnected()).isFalse();
        assertThat(client.transport.send(new Ping(V, 1))).isFalse();
        assertThat(network.connectionCount()).isZero();
    }

    @Test
    void aRestartedServerGetsTheClientsBack() {
        InMemoryServerTransport first = network.serverTransport();
        first.start(server);
        RecordingClient client = connect("dev-a");

        first.close();
        await().until(() -> client.events.contains("disconnected:SHUTTING_DOWN"));
        assertThat(first.connectionCount()).isZero();

        RecordingServer second = new RecordingServer();
        InMemoryServerTransport restarted = network.serverTransport();
        restarted.start(second);

        await().until(() -> restarted.connectionCount() == 1 && client.transport.isConnected());
        client.transport.send(new Ping(V, 5));
        await().until(() -> second.received.size() == 1);
    }

    private RecordingClient start(String device) {
        RecordingClient client = new RecordingClient(network.clientTransport());
        client.transport.start(new Endpoint(URI.create("mem://test"), "scope-1", device), client);
        return client;
    }

    private RecordingClient connect(String device) {
        RecordingClient client = start(device);
        await().until(client.transport::isConnected);
        await().until(() -> network.isConnected(device));
        // onOpen runs on the connection's own thread; wait for it so tests can use server.connections.
        await().until(() -> server.connections.stream().anyMatch(c -> c.isOpen() && c.remoteAddress().endsWith(":" + device)));
        return client;
    }

    private static org.awaitility.core.ConditionFactory await() {
        return org.awaitility.Awaitility.await().pollDelay(java.time.Duration.ZERO)
                .pollInterval(java.time.Duration.ofMillis(5)).atMost(java.time.Duration.ofSeconds(10));
    }

    private static List<Long> range(int n) {
        List<Long> values = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            values.add(i);
        }
        return values;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class RecordingClient implements ClientTransport.Listener {
        final ClientTransport transport;
        final List<Message> received = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        volatile java.util.function.Consumer<Message> onMessage = message -> {};

        RecordingClient(ClientTransport transport) {
            this.transport = transport;
        }

        @Override
        public void onConnected() {
            events.add("connected");
        }

        @Override
        public void onMessage(Message message) {
            threads.add(Thread.currentThread().getName());
            onMessage.accept(message);
            received.add(message);
            events.add("message");
        }

        @Override
        public void onDisconnected(ErrorCode code, String reason) {
            events.add("disconnected:" + code);
        }
    }

    private static final class RecordingServer implements io.pocketsync.api.transport.ServerTransport.Acceptor {
        final List<Connection> connections = new CopyOnWriteArrayList<>();
        final List<Message> received = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        final List<Connection> closed = new CopyOnWriteArrayList<>();

        @Override
        public ConnectionListener onOpen(Connection connection) {
            connections.add(connection);
            return new ConnectionListener() {
                @Override
                public void onMessage(Message message) {
                    threads.add(Thread.currentThread().getName());
                    received.add(message);
                }

                @Override
                public void onClose() {
                    closed.add(connection);
                }
            };
        }
    }
}
