package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Scoped;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SessionTest {
    private final InMemoryServerStore store = new InMemoryServerStore();
    private final ServerHarness harness = new ServerHarness(store, "scope-s");

    @AfterEach
    void close() {
        harness.close();
        store.close();
    }

    @Test
    void messageBeforeHelloIsRefusedAndClosed() {
        ServerHarness.Device device = harness.open("dev-a");
        device.send(new Pull(ProtocolVersion.CURRENT, 0, 10));
        await().until(() -> !device.connection().isOpen());
        assertThat(device.connection().closeCode()).isEqualTo(ErrorCode.HELLO_REQUIRED);
    }

    @Test
    void unsupportedProtocolVersionGetsAClearError() {
        ServerHarness.Device device = harness.open("dev-a");
        device.send(new Hello(99, "dev-a", "scope-s", "secret-scope-s", 0, Hlc.ZERO));
        await().until(() -> !device.connection().isOpen());
        ErrorMessage error = device.connection().sent(ErrorMessage.class).get(0);
        assertThat(error.code()).isEqualTo(ErrorCode.PROTOCOL_VERSION_UNSUPPORTED);
        assertThat(error.message()).contains("99").contains("1");
    }

    @Test
    void aRepeatedHelloIsAnsweredByTheWelcomeAlreadySentAndAnotherOneIsRefused() {
        ServerHarness.Device device = harness.connect("dev-a", 0);
        device.await(Welcome.class, w -> true);

        // the device's HELLO deadline passed before the WELCOME reached it: it says the same HELLO again
        device.send(new Hello(ProtocolVersion.CURRENT, "dev-a", "scope-s", "secret-scope-s", 0, Hlc.ZERO));
        device.send(new Ping(ProtocolVersion.CURRENT, 7));
        device.await(Pong.class, pong -> pong.nonce() == 7);
        assertThat(device.connection().sent(ErrorMessage.class)).as("no refusal of the session it has").isEmpty();

        // before version 3 a connection holds one session: a HELLO of another scope is refused on it
        device.send(new Hello(ProtocolVersion.SUBSCRIPTIONS, "dev-a", "other-scope", "secret-other-scope", 0, Hlc.ZERO));
        ErrorMessage refused = device.await(ErrorMessage.class, e -> true);
        assertThat(refused.code()).isEqualTo(ErrorCode.INVALID_FIELD);
        assertThat(device.connection().isOpen()).isTrue();
        // from version 3 it opens a session of that scope beside the first (MultiScopeSessionTest), here refused alone
        device.send(new Hello(ProtocolVersion.SCOPES, "dev-a", "other-scope", "secret-other-scope", 0, Hlc.ZERO));
        org.awaitility.Awaitility.await().until(() -> device.connection().sent().stream().anyMatch(m -> m instanceof Scoped s
                && s.scope().equals("other-scope") && s.message() instanceof ErrorMessage e && e.code() == ErrorCode.AUTH_FAILED));
        assertThat(device.connection().isOpen()).isTrue();
    }

    @Test
    void welcomeAdvertisesTheLimitsTheServerEnforces() {
        ServerHarness defaults = new ServerHarness(store, "scope-d", TableResolvers.lastWriteWins(),
                ServerOptions.defaults());
        try {
            Welcome welcome = defaults.connect("dev-a", 0).await(Welcome.class, w -> true);
            // the in-memory connection states no frame bound: the engine's own figure, the transports' default
            assertThat(welcome.maxMessageBytes()).isEqualTo(1024 * 1024);
            assertThat(welcome.maxRowBytes()).isEqualTo(16 * 1024 * 1024);
            assertThat(welcome.maxAssembledBytes()).as("an in-memory connection takes no fragments").isZero();
            assertThat(welcome.serverTimeMillis()).isPositive();
        }
        finally {
            defaults.close();
        }
    }

    @Test
    void aSecondLiveSessionForOneDeviceIdReplacesTheFirstAndSaysSo() {
        ServerHarness.Device first = harness.connect("dev-a", 0);
        ServerHarness.Device other = harness.connect("dev-b", 0);
        ServerHarness.Device second = harness.connect("dev-a", 0);

        await().until(() -> !first.connection().isOpen());
        assertThat(first.connection().closeCode()).isEqualTo(ErrorCode.SESSION_REPLACED);
        assertThat(second.connection().isOpen()).isTrue();
        assertThat(other.connection().isOpen()).isTrue();
        assertThat(harness.server().sessionCount()).isEqualTo(2);
    }

    @Test
    void aSecondSessionForOneDeviceIdOnAnotherNodeReplacesTheFirstThere() {
        InMemoryServerStore otherNodeStore = store.sharing("n2");
        ServerHarness otherNode = new ServerHarness(otherNodeStore, "scope-s", TableResolvers.lastWriteWins(),
                ServerOptions.builder().nodeId("n2").build());
        try {
            ServerHarness.Device first = harness.connect("dev-a", 0);
            ServerHarness.Device bystander = harness.connect("dev-b", 0);
            ServerHarness.Device second = otherNode.connect("dev-a", 0);

            // both nodes run one fixed clock here, so the claims order by text: which one stays is not asserted, that
            // exactly one does is
            await().until(() -> first.connection().isOpen() != second.connection().isOpen());
            ServerHarness.Device replaced = first.connection().isOpen() ? second : first;
            assertThat(replaced.connection().closeCode()).isEqualTo(ErrorCode.SESSION_REPLACED);
            assertThat(bystander.connection().isOpen()).isTrue();
            assertThat(harness.server().sessionCount() + otherNode.server().sessionCount()).isEqualTo(2);
        }
        finally {
            otherNode.close();
            otherNodeStore.close();
        }
    }

    @Test
    void claimsOrderByTimeThenTextSoBothNodesAgreeWhichSessionGoes() {
        String early = SessionClaims.of(1_000, "n1", "n1-7");
        String late = SessionClaims.of(2_000, "n2", "n2-1");
        String sameTime = SessionClaims.of(2_000, "n3", "n3-1");
        assertThat(SessionClaims.newer(late, early)).isTrue();
        assertThat(SessionClaims.newer(early, late)).isFalse();
        assertThat(SessionClaims.newer(sameTime, late)).isNotEqualTo(SessionClaims.newer(late, sameTime));
        assertThat(SessionClaims.newer("not a claim", early)).isFalse();
    }

    @Test
    void claimsOfOneSharedTransportAreTheSameDeviceSeenByTwoNodes() {
        String mqttOnOne = SessionClaims.shared(1_000, "n1", "n1-7", "mqtt");
        String mqttOnTwo = SessionClaims.shared(1_001, "n2", "n2-1", "mqtt");
        String socket = SessionClaims.of(1_002, "n2", "n2-2");
        assertThat(SessionClaims.sameSharedTransport(mqttOnTwo, mqttOnOne)).isTrue();
        assertThat(SessionClaims.sameSharedTransport(socket, mqttOnOne)).as("a second device over WebSocket").isFalse();
        assertThat(SessionClaims.sameSharedTransport(mqttOnOne, socket)).isFalse();
        assertThat(SessionClaims.sameSharedTransport(SessionClaims.shared(1_003, "n3", "n3-1", "other"), mqttOnOne)).isFalse();
        assertThat(SessionClaims.newer(mqttOnTwo, mqttOnOne)).as("still ordered, for a claim of another transport").isTrue();
    }

    @Test
    void badTokenIsRefusedWithoutEchoingItAndOthersKeepBeingServed() {
        ServerHarness.Device intruder = harness.open("dev-x");
        intruder.send(new Hello(ProtocolVersion.CURRENT, "dev-x", "scope-s", "guessed-token-123", 0, Hlc.ZERO));
        await().until(() -> !intruder.connection().isOpen());
        ErrorMessage error = intruder.connection().sent(ErrorMessage.class).get(0);
        assertThat(error.code()).isEqualTo(ErrorCode.AUTH_FAILED);
        assertThat(error.message()).doesNotContain("guessed-token-123");

        ServerHarness.Device device = harness.connect("dev-a", 0);
        assertThat(device.connection().isOpen()).isTrue();
        assertThat(harness.server().sessionCount()).isEqualTo(1);
    }

    @Test
    void tokenOfAnotherScopeDoesNotOpenThisScope() {
        ServerHarness.Device device = harness.open("dev-a");
        device.send(new Hello(ProtocolVersion.CURRENT, "dev-a", "other-scope", "secret-scope-s", 0, Hlc.ZERO));
        await().until(() -> !device.connection().isOpen());
        // the answer of every failed login: a valid token of another scope must not tell a guesser it is valid
        assertThat(device.connection().closeCode()).isEqualTo(ErrorCode.AUTH_FAILED);
    }

    @Test
    void invalidIdentifiersInHelloAreRefused() {
        ServerHarness.Device device = harness.open("dev/a");
        device.send(new Hello(ProtocolVersion.CURRENT, "dev/a", "scope-s", "secret-scope-s", 0, Hlc.ZERO));
        await().until(() -> !device.connection().isOpen());
        assertThat(device.connection().closeCode()).isEqualTo(ErrorCode.IDENTIFIER_INVALID);
    }

    @Test
    void addressedScopeMustMatchTheHello() {
        TestingConnection connection = new TestingConnection("mqtt", "other-scope", "dev-a");
        connection.attach(harness.server().accept(connection));
        connection.receive(new Hello(ProtocolVersion.CURRENT, "dev-a", "scope-s", "secret-scope-s", 0, Hlc.ZERO));
        await().until(() -> !connection.isOpen());
        assertThat(connection.closeCode()).isEqualTo(ErrorCode.SCOPE_FORBIDDEN);
    }

    @Test
    void welcomeCarriesServerClockHeadAndLimits() {
        ServerHarness.Device device = harness.connect("dev-a", 0);
        Welcome welcome = device.await(Welcome.class, w -> true);
        assertThat(welcome.serverHlc().physicalMillis()).isGreaterThanOrEqualTo(ServerHarness.NOW_MILLIS);
        assertThat(welcome.headCursor()).isZero();
        assertThat(welcome.resyncRequired()).isFalse();
        assertThat(welcome.maxBatchChanges()).isEqualTo(1000);
    }

    @Test
    void serverClockMovesPastADeviceClockAhead() {
        ServerHarness.Device device = harness.open("dev-a");
        Hlc ahead = Hlc.of(ServerHarness.NOW_MILLIS + 60_000, 7);
        device.send(new Hello(ProtocolVersion.CURRENT, "dev-a", "scope-s", "secret-scope-s", 0, ahead));
        Welcome welcome = device.await(Welcome.class, w -> true);
        assertThat(welcome.serverHlc()).isGreaterThan(ahead);
    }

    @Test
    void pingIsAnsweredWithTheSameNonce() {
        ServerHarness.Device device = harness.connect("dev-a", 0);
        device.send(new Ping(ProtocolVersion.CURRENT, 4242));
        assertThat(device.await(Pong.class, p -> true).nonce()).isEqualTo(4242);
    }

    @Test
    void closingTheServerClosesSessionsUnsubscribesAndRefusesNewConnections() {
        ServerHarness.Device device = harness.connect("dev-a", 0);
        assertThat(store.subscriberCount()).isEqualTo(1);
        harness.server().close();
        assertThat(device.connection().closeCode()).isEqualTo(ErrorCode.SHUTTING_DOWN);
        assertThat(store.subscriberCount()).isZero();
        TestingConnection late = new TestingConnection("test");
        harness.server().accept(late);
        assertThat(late.closeCode()).isEqualTo(ErrorCode.SHUTTING_DOWN);
        assertThat(Map.of("sessions", harness.server().sessionCount())).containsEntry("sessions", 0);
    }
}
