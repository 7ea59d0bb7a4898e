package io.pocketsync.testkit.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import io.pocketsync.api.transport.ServerTransport;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every part of the {@link AbstractTransportContractTest transport contract} shares: the transport
 * factories and settings a subclass provides, the server and clients a test starts (closed after it), and helpers.
 */
abstract class TransportContractFixture {
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    private ServerTransport server;
    RecordingAcceptor acceptor;
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

    static List<Long> nonces(List<Message> messages, Class<? extends Message> type) {
        return messages.stream().filter(type::isInstance)
                .map(m -> m instanceof Ping ping ? ping.nonce() : ((Pong) m).nonce()).collect(Collectors.toList());
    }
}
