package io.pocketsync.testkit.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Connection;
import io.pocketsync.api.transport.Endpoint;
import io.pocketsync.api.transport.ServerTransport;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every transport (a {@link ServerTransport} plus the {@link ClientTransport} that talks
 * to it) must meet. A transport's test extends this class and implements the factory methods; each
 * test here starts its own server and clients and closes them afterwards.
 *
 * <p>Subclasses configure their transports with {@link #maxMessageBytes()} and
 * {@link #maxQueuedMessages()}, and clients with a short reconnect backoff (well under a second).
 */
public abstract class AbstractTransportContractTest {
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    private ServerTransport server;
    private RecordingAcceptor acceptor;
    /** A scope unique to this test, so tests sharing a broker never see each other. */
    protected String scope;

    /**
     * A new, not yet started server transport. Every call for one test must serve the same
     * {@link #serverUri()} (same port, same topic root), so a restarted server is found by the clients.
     *
     * @return the server transport
     */
    protected abstract ServerTransport newServer();

    /**
     * A new, not yet started client transport for the current server.
     *
     * @return the client transport
     */
    protected abstract ClientTransport newClient();

    /**
     * The URI clients connect to, valid once the first server of the test has started.
     *
     * @return the URI
     */
    protected abstract URI serverUri();

    /**
     * The largest message (encoded bytes) both sides must be configured to accept.
     *
     * @return the limit in bytes
     */
    protected int maxMessageBytes() {
        return 64 * 1024;
    }

    /**
     * The per-connection outbound queue bound the server must be configured with.
     *
     * @return the bound in messages
     */
    protected int maxQueuedMessages() {
        return 1000;
    }

    /**
     * Whether a client sees the server stop (a socket transport) or not (a broker transport, where the
     * broker keeps the client's connection and queues its messages for the restarted server).
     *
     * @return true by default
     */
    protected boolean clientSeesServerRestart() {
        return true;
    }

    /**
     * Whether the server can observe that a device does not read (its outbound queue fills), in which
     * case it drops messages and later tells the device {@code CATCH_UP_REQUIRED}. A broker transport
     * cannot: the broker buffers (and drops) for the device.
     *
     * @return true by default
     */
    protected boolean serverObservesSlowClients() {
        return true;
    }

    @BeforeEach
    void createScope() {
        scope = "ct-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }

        resources.clear();
        afterClose();
    }

    /**
     * Runs after every transport of a test is closed, e.g. to remove broker sessions the test left.
     *
     * @throws Exception when cleaning up fails
     */
    protected void afterClose() throws Exception {}

    // ---- helpers for subclasses and tests -------------------------------------------------------

    /**
     * Starts a server (the test's first, or a restart) recording into {@code acceptor}.
     *
     * @param newAcceptor records what the server receives
     * @return the started server
     */
    protected ServerTransport startServer(RecordingAcceptor newAcceptor) {
        ServerTransport started = newServer();
        resources.add(started);
        started.start(newAcceptor);
        this.server = started;
        this.acceptor = newAcceptor;
        return started;
    }

    /**
     * The server started last.
     *
     * @return the server, or null before {@link #startServer}
     */
    protected ServerTransport server() {
        return server;
    }

    /**
     * The acceptor of the server started last.
     *
     * @return the acceptor, or null before {@link #startServer}
     */
    protected RecordingAcceptor acceptor() {
        return acceptor;
    }

    /**
     * Starts a client for {@code deviceId} in this test's scope.
     *
     * @param deviceId the device id
     * @param listener receives the client's events
     * @return the started client
     */
    protected ClientTransport startClient(String deviceId, RecordingClientListener listener) {
        ClientTransport client = newClient();
        resources.add(client);
        client.start(new Endpoint(serverUri(), scope, deviceId), listener);
        return client;
    }

    /**
     * Awaitility with the contract's patience: 20 s, polling every 20 ms.
     *
     * @return the condition factory
     */
    protected static ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20));
    }

    /**
     * A HELLO of {@code deviceId} in this test's scope.
     *
     * @param deviceId the device id
     * @return the message
     */
    protected Hello hello(String deviceId) {
        return new Hello(ProtocolVersion.CURRENT, deviceId, scope, "token-" + deviceId, 0, Hlc.of(1_000, 0));
    }

    /**
     * A PUSH whose payload is about {@code payloadChars} characters.
     *
     * @param batchId the batch id
     * @param payloadChars the size of its one change's text column
     * @return the message
     */
    protected static Push pushOfSize(String batchId, int payloadChars) {
        String payload = "x".repeat(payloadChars);
        Change change = new Change(batchId + "-c1", "notes", "g-1", Op.INSERT, Map.of("body", payload), List.of(),
                Hlc.of(1_000, 1), "device-a");
        return new Push(ProtocolVersion.CURRENT, batchId, List.of(change));
    }

    /**
     * Connects a client, sends HELLO and returns the server side of its connection.
     *
     * @param deviceId the device id
     * @param listener receives the client's events
     * @param out null, or an array whose first slot receives the client
     * @return the server side of the connection
     */
    protected RecordingAcceptor.Recorded connect(String deviceId, RecordingClientListener listener, ClientTransport[] out) {
        ClientTransport client = startClient(deviceId, listener);
        if (out != null) {
            out[0] = client;
        }
        eventually().until(() -> listener.connects() >= 1 && client.isConnected());
        assertThat(client.send(hello(deviceId))).isTrue();
        eventually().until(() -> acceptor.byDevice(deviceId).isPresent());
        return acceptor.byDevice(deviceId).orElseThrow();
    }

    private static List<Long> nonces(List<Message> messages, Class<? extends Message> type) {
        return messages.stream().filter(type::isInstance)
                .map(m -> m instanceof Ping ping ? ping.nonce() : ((Pong) m).nonce()).collect(Collectors.toList());
    }

    // ---- the contract ---------------------------------------------------------------------------

    @Test
    void helloReachesServerAndAnswersReachClient() {
        startServer(new RecordingAcceptor());
        RecordingClientListener listener = new RecordingClientListener();
        RecordingAcceptor.Recorded connection = connect("device-a", listener, null);

        assertThat(connection.messages()).containsExactly(hello("device-a"));
        assertThat(connection.connection().isOpen()).isTrue();
        assertThat(connection.connection().id()).isNotBlank();
        assertThat(connection.connection().transport()).isNotBlank();
        connection.connection().addressedScope().ifPresent(s -> assertThat(s).isEqualTo(scope));
        connection.connection().addressedDevice().ifPresent(d -> assertThat(d).isEqualTo("device-a"));
        assertThat(server().connectionCount()).isEqualTo(1);

        Welcome welcome = new Welcome(ProtocolVersion.CURRENT, "session-1", Hlc.of(2_000, 0), 7, false, 500, maxMessageBytes());
        assertThat(connection.connection().send(welcome)).isTrue();
        eventually().untilAsserted(() -> assertThat(listener.messages()).containsExactly(welcome));
    }

    @Test
    void authFailureSurfacesAtTheClient() {
        startServer(new RecordingAcceptor().onMessage((connection, message) -> {
            if (message instanceof Hello) {
                connection.close(ErrorCode.AUTH_FAILED, "unknown token");
            }
        }));
        RecordingClientListener listener = new RecordingClientListener();
        RecordingAcceptor.Recorded connection = connect("device-a", listener, null);

        eventually().untilAsserted(() -> assertThat(
                listener.messages().stream().anyMatch(m -> m instanceof ErrorMessage e && e.code() == ErrorCode.AUTH_FAILED)
                        || listener.disconnects().stream().anyMatch(d -> d.code() == ErrorCode.AUTH_FAILED))
                .as("AUTH_FAILED seen by the client").isTrue());
        eventually().untilAsserted(() -> assertThat(connection.closes()).isEqualTo(1));
        assertThat(connection.connection().isOpen()).isFalse();
        assertThat(connection.connection().send(new Ping(ProtocolVersion.CURRENT, 1))).isFalse();
    }

    @Test
    void messagesArriveInOrderInBothDirections() {
        int count = 500;
        startServer(new RecordingAcceptor().onMessage((connection, message) -> {
            if (message instanceof Ping ping) {
                connection.send(new Pong(ProtocolVersion.CURRENT, ping.nonce()));
            }
        }));
        RecordingClientListener listener = new RecordingClientListener();
        ClientTransport[] client = new ClientTransport[1];
        RecordingAcceptor.Recorded connection = connect("device-a", listener, client);

        for (long i = 0; i < count; i++) {
            assertThat(client[0].send(new Ping(ProtocolVersion.CURRENT, i))).isTrue();
        }

        List<Long> expected = LongStream.range(0, count).boxed().collect(Collectors.toList());
        eventually().untilAsserted(() -> assertThat(nonces(connection.messages(), Ping.class)).isEqualTo(expected));
        eventually().untilAsserted(() -> assertThat(nonces(listener.messages(), Pong.class)).isEqualTo(expected));
        assertThat(connection.overlapSeen()).isFalse();
        assertThat(listener.overlapSeen()).isFalse();
    }

    @Test
    void messagesLargerThanAFrameTravelInFragmentsBothWaysWhenBothSidesSaySo() {
        startServer(new RecordingAcceptor().onMessage((connection, message) -> {
            if (message instanceof Push push) {
                connection.send(push); // echoed: the server side fragments too
            }
        }));
        RecordingClientListener listener = new RecordingClientListener();
        ClientTransport client = startClient("device-a", listener);
        eventually().until(() -> listener.connects() >= 1 && client.isConnected());
        Hello hello = new Hello(ProtocolVersion.CURRENT, "device-a", scope, "token-device-a", 0, Hlc.of(1_000, 0),
                client.maxAssembledBytes());
        assertThat(client.send(hello)).isTrue();
        eventually().until(() -> acceptor.byDevice("device-a").isPresent());
        RecordingAcceptor.Recorded connection = acceptor.byDevice("device-a").orElseThrow();
        // multi-byte text, three frames and a bit: a fragment boundary falls inside a character
        String text = "ünïcødé ✓ 𝄞 ".repeat(maxMessageBytes() * 3 / 20);
        Change change = new Change("big-c1", "notes", "g-1", Op.INSERT, Map.of("body", text), List.of(), Hlc.of(1_000, 1),
                "device-a");
        Push big = new Push(ProtocolVersion.CURRENT, "batch-big", List.of(change));
        if (client.maxAssembledBytes() == 0 || connection.connection().maxAssembledBytes() == 0) {
            // a transport without fragments refuses it, as any message over its maximum
            assertThat(catchThrowable(() -> client.send(big))).isInstanceOf(PocketSyncException.class);
            return;
        }
        Welcome welcome = new Welcome(ProtocolVersion.CURRENT, "session-1", Hlc.of(2_000, 0), 7, false, 500,
                connection.connection().maxFrameBytes(), 0, 16 << 20, connection.connection().maxAssembledBytes());
        assertThat(connection.connection().send(welcome)).isTrue();
        eventually().untilAsserted(() -> assertThat(listener.messages()).contains(welcome));

        assertThat(client.send(big)).isTrue();
        Ping after = new Ping(ProtocolVersion.CURRENT, 7);
        assertThat(client.send(after)).isTrue();
        eventually().untilAsserted(() -> assertThat(connection.messages()).containsSubsequence(big, after));
        eventually().untilAsserted(() -> assertThat(listener.messages()).contains(big));
        assertThat(connection.closes()).isZero();
    }

    @Test
    void largePushUpToTheMaximumPassesAndALargerOneIsRejected() {
        startServer(new RecordingAcceptor());
        RecordingClientListener listener = new RecordingClientListener();
        ClientTransport[] client = new ClientTransport[1];
        RecordingAcceptor.Recorded connection = connect("device-a", listener, client);
        RecordingClientListener bystanderListener = new RecordingClientListener();
        ClientTransport[] bystander = new ClientTransport[1];
        RecordingAcceptor.Recorded bystanderConnection = connect("device-b", bystanderListener, bystander);

        Push large = pushOfSize("batch-large", maxMessageBytes() * 9 / 10);
        assertThat(client[0].send(large)).isTrue();
        eventually().untilAsserted(() -> assertThat(connection.messages()).contains(large));

        Push tooLarge = pushOfSize("batch-too-large", maxMessageBytes() + 1024);
        Throwable thrown = catchThrowable(() -> client[0].send(tooLarge));
        if (thrown != null) {
            assertThat(thrown).isInstanceOf(PocketSyncException.class);
            assertThat(((PocketSyncException) thrown).code()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
        }
        else {
            eventually().untilAsserted(() -> assertThat(
                    listener.messages().stream().anyMatch(m -> m instanceof ErrorMessage e && e.code() == ErrorCode.MESSAGE_TOO_LARGE)
                            || listener.disconnects().stream().anyMatch(d -> d.code() == ErrorCode.MESSAGE_TOO_LARGE))
                    .isTrue());
        }
        assertThat(connection.messages()).doesNotContain(tooLarge);

        // only the offending connection may suffer; the other device is served as before
        Ping ping = new Ping(ProtocolVersion.CURRENT, 42);
        assertThat(bystander[0].send(ping)).isTrue();
        eventually().untilAsserted(() -> assertThat(bystanderConnection.messages()).contains(ping));
        assertThat(bystanderConnection.closes()).isZero();
    }

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
