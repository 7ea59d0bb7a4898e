package io.pocketsync.testkit.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.ServerTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The contract every transport (a {@link ServerTransport} plus the {@link ClientTransport} that talks
 * to it) must meet. A transport's test extends this class and implements the factory methods; each
 * test here starts its own server and clients and closes them afterwards.
 *
 * <p>Subclasses configure their transports with {@link #maxMessageBytes()} and
 * {@link #maxQueuedMessages()}, and clients with a short reconnect backoff (well under a second).
 *
 * <p>The tests are split over package-private layers (the fixture, messaging, and connection lifecycle
 * here), chained only because a class has one superclass; a subclass runs them all.
 */
public abstract class AbstractTransportContractTest extends TransportMessagingContract {
    // ---- the contract: connections over restarts, closes, many and slow clients ------------------

    @Test
    void clientReconnectsAfterTheServerRestarts() {
        ServerTransport first = startServer(new RecordingAcceptor());
        RecordingClientListener listener = new RecordingClientListener();
        ClientTransport[] client = new ClientTransport[1];
        RecordingAcceptor.Recorded before = connect("device-a", listener, client);

        first.close();
        eventually().untilAsserted(() -> assertThat(before.closes()).isEqualTo(1));
        if (clientSeesServerRestart()) {
            eventually().untilAsserted(() -> assertThat(listener.disconnects()).isNotEmpty());
        }

        RecordingAcceptor second = new RecordingAcceptor();
        startServer(second);
        if (clientSeesServerRestart()) {
            eventually().untilAsserted(() -> assertThat(listener.connects()).isGreaterThanOrEqualTo(2));
        }
        // the device says HELLO again, as the device engine does after onConnected
        eventually().until(() -> client[0].isConnected() && client[0].send(hello("device-a")));
        eventually().until(() -> second.byDevice("device-a").isPresent());
        RecordingAcceptor.Recorded after = second.byDevice("device-a").orElseThrow();

        Pong pong = new Pong(ProtocolVersion.CURRENT, 9);
        assertThat(after.connection().send(pong)).isTrue();
        eventually().untilAsserted(() -> assertThat(listener.messages()).contains(pong));
    }

    @Test
    void closingTheClientClosesTheServerSideAndStopsReconnecting() {
        startServer(new RecordingAcceptor());
        RecordingClientListener listener = new RecordingClientListener();
        ClientTransport[] client = new ClientTransport[1];
        RecordingAcceptor.Recorded connection = connect("device-a", listener, client);

        client[0].close();
        client[0].close(); // idempotent

        eventually().untilAsserted(() -> assertThat(connection.closes()).isEqualTo(1));
        assertThat(client[0].isConnected()).isFalse();
        assertThat(client[0].send(new Ping(ProtocolVersion.CURRENT, 1))).isFalse();
        eventually().untilAsserted(() -> assertThat(server().connectionCount()).isZero());
        // no reconnect after close: no new connection shows up and the client stays down
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> acceptor().connections().size() == 1 && listener.connects() == 1);
    }

    @Test
    void closingTheServerClosesEveryConnection() {
        ServerTransport started = startServer(new RecordingAcceptor());
        List<RecordingAcceptor.Recorded> connections = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            connections.add(connect("device-" + i, new RecordingClientListener(), null));
        }
        assertThat(started.connectionCount()).isEqualTo(3);

        started.close();
        started.close(); // idempotent

        for (RecordingAcceptor.Recorded connection : connections) {
            eventually().untilAsserted(() -> assertThat(connection.closes()).isEqualTo(1));
            assertThat(connection.connection().isOpen()).isFalse();
        }
        assertThat(started.connectionCount()).isZero();
    }

    @Test
    void serverHandlesManyConcurrentClients() {
        int clients = 50;
        int pingsEach = 20;
        startServer(new RecordingAcceptor().onMessage((connection, message) -> {
            if (message instanceof Ping ping) {
                connection.send(new Pong(ProtocolVersion.CURRENT, ping.nonce()));
            }
        }));
        List<RecordingClientListener> listeners = new ArrayList<>();
        List<ClientTransport> transports = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            RecordingClientListener listener = new RecordingClientListener();
            listeners.add(listener);
            transports.add(startClient("device-" + i, listener));
        }
        for (int i = 0; i < clients; i++) {
            ClientTransport client = transports.get(i);
            eventually().until(client::isConnected);
            assertThat(client.send(hello("device-" + i))).isTrue();
            for (long n = 0; n < pingsEach; n++) {
                assertThat(client.send(new Ping(ProtocolVersion.CURRENT, i * 1000L + n))).isTrue();
            }
        }

        for (int i = 0; i < clients; i++) {
            long base = i * 1000L;
            List<Long> expected = LongStream.range(base, base + pingsEach).boxed().collect(Collectors.toList());
            RecordingClientListener listener = listeners.get(i);
            eventually().untilAsserted(() -> assertThat(nonces(listener.messages(), Pong.class)).isEqualTo(expected));
        }
        assertThat(server().connectionCount()).isEqualTo(clients);
    }

    @Test
    void slowClientDoesNotBlockOthers() {
        startServer(new RecordingAcceptor());
        RecordingClientListener slowListener = new RecordingClientListener();
        RecordingAcceptor.Recorded slow = connect("device-slow", slowListener, null);
        List<RecordingClientListener> fastListeners = new ArrayList<>();
        List<RecordingAcceptor.Recorded> fast = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RecordingClientListener listener = new RecordingClientListener();
            fastListeners.add(listener);
            fast.add(connect("device-fast-" + i, listener, null));
        }

        slowListener.blockOnMessages();
        Push filler = pushOfSize("filler", Math.min(8 * 1024, maxMessageBytes() / 2));
        boolean dropped = false;
        int sent = 0;
        // the slow device reads nothing, so its queue fills (a transport that cannot see it never drops)
        for (int i = 0; i < 20_000 && !dropped; i++) {
            if (!slow.connection().send(filler)) {
                dropped = true;
            }
            sent++;
            if (!serverObservesSlowClients() && i >= 200) {
                break;
            }
        }

        int perFast = 300;
        for (RecordingAcceptor.Recorded connection : fast) {
            for (long n = 0; n < perFast; n++) {
                assertThat(connection.connection().send(new Pong(ProtocolVersion.CURRENT, n))).isTrue();
            }
        }
        List<Long> expected = LongStream.range(0, perFast).boxed().collect(Collectors.toList());
        for (RecordingClientListener listener : fastListeners) {
            eventually().untilAsserted(() -> assertThat(nonces(listener.messages(), Pong.class)).isEqualTo(expected));
        }

        slowListener.unblock();
        if (serverObservesSlowClients()) {
            assertThat(dropped).as("the slow connection's queue overflowed after %d messages", sent).isTrue();
            eventually().untilAsserted(() -> assertThat(slowListener.messages()).anyMatch(
                    m -> m instanceof ErrorMessage e && e.code() == ErrorCode.CATCH_UP_REQUIRED));
        }
        else {
            eventually().untilAsserted(() -> assertThat(slowListener.messages()).isNotEmpty());
        }
        assertThat(slowListener.overlapSeen()).isFalse();
    }
}
