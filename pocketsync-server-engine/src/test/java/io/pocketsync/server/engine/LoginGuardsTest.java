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
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.server.engine.auth.CompositeAuthenticator;
import io.pocketsync.server.engine.auth.HmacTokenAuthenticator;
import io.pocketsync.server.engine.auth.HmacTokens;
import io.pocketsync.server.engine.auth.StaticTokenAuthenticator;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's front door: the handshake deadline and the pending handshakes per address, one answer to every failed
 * login, throttling per address and device id, and sessions that end with their token.
 */
class LoginGuardsTest {
    private static final byte[] SECRET = "0123456789abcdef-secret".getBytes(StandardCharsets.UTF_8);

    private final InMemoryServerStore store = new InMemoryServerStore();
    private final ServerHarness.MutableClock clock = new ServerHarness.MutableClock(Instant.ofEpochSecond(1_700_000_000));
    private final Map<String, AtomicInteger> throttled = new ConcurrentHashMap<>();
    private final Map<ErrorCode, AtomicInteger> refused = new ConcurrentHashMap<>();
    private final SyncServer server = SyncServer.builder()
            .store(store)
            .authenticator(new CompositeAuthenticator(List.of(StaticTokenAuthenticator.parse("alice:tok-a,bob:tok-b"),
                    new HmacTokenAuthenticator(SECRET, clock))))
            .options(ServerOptions.builder().nodeId("guards").loginLimits(LoginLimits.builder()
                    .handshakeTimeout(Duration.ofMillis(300)).maxPendingHandshakesPerAddress(3)
                    .addressFailures(8).deviceFailures(3).initialDelay(Duration.ofSeconds(1)).maxDelay(Duration.ofSeconds(4))
                    .build()).build())
            .listener(new ServerListener() {
                @Override
                public void loginThrottled(String transport, String by) {
                    throttled.computeIfAbsent(by, b -> new AtomicInteger()).incrementAndGet();
                }

                @Override
                public void sessionRefused(String transport, ErrorCode code) {
                    refused.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
                }
            })
            .clock(clock)
            .build();

    LoginGuardsTest() {
        server.start();
    }

    @AfterEach
    void close() {
        server.close();
        store.close();
    }

    @Test
    void aConnectionThatSaysNothingIsClosedAfterTheHandshakeTimeout() {
        TestingConnection silent = open("192.0.2.1");
        await().atMost(Duration.ofSeconds(5)).until(() -> !silent.isOpen());
        assertThat(silent.closeCode()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(silent.sent(ErrorMessage.class).get(0).message()).contains("no HELLO within");
        assertThat(refused.get(ErrorCode.TIMEOUT)).hasValue(1);

        TestingConnection welcomed = open("192.0.2.1");
        welcomed.receive(hello("alice", "d1", "tok-a"));
        await().until(() -> !welcomed.sent(Welcome.class).isEmpty());
        // well past the deadline, the welcomed session still serves
        await().pollDelay(Duration.ofMillis(600)).until(welcomed::isOpen);
        welcomed.receive(new Ping(ProtocolVersion.CURRENT, 7));
        await().until(() -> !welcomed.sent(Pong.class).isEmpty());
    }

    @Test
    void anAddressMayHaveOnlySoManyHandshakesPendingAndAWelcomeFreesAPlace() {
        TestingConnection first = open("192.0.2.2");
        open("192.0.2.2");
        open("192.0.2.2");
        TestingConnection fourth = open("192.0.2.2");
        assertThat(fourth.isOpen()).isFalse();
        assertThat(fourth.closeCode()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(fourth.sent(ErrorMessage.class).get(0).message()).contains("too many connections from this address");
        assertThat(open("192.0.2.3").isOpen()).as("another address").isTrue();
        assertThat(open(null).isOpen()).as("a transport without addresses (MQTT)").isTrue();

        first.receive(hello("alice", "d1", "tok-a"));
        await().until(() -> !first.sent(Welcome.class).isEmpty());
        assertThat(open("192.0.2.2").isOpen()).isTrue();
    }

    @Test
    void everyFailedLoginGetsTheSameAnswer() {
        String expired = HmacTokens.issue(SECRET, "alice", "d1", clock.instant().minusSeconds(1));
        String otherDevice = HmacTokens.issue(SECRET, "alice", "d2", clock.instant().plusSeconds(3600));
        List<Hello> failures = List.of(
                hello("alice", "d1", "wrong"),                 // wrong token
                hello("alice", "d1", "tok-b"),                 // a valid token of another scope
                hello("nobody", "d1", "tok-a"),                // a scope nobody has
                hello("alice", "d1", expired),                 // an expired signed token
                hello("alice", "d1", otherDevice),             // a signed token of another device
                hello("alice", "d1", ""));                     // no token
        List<String> answers = new java.util.ArrayList<>();
        for (Hello failure : failures) {
            TestingConnection connection = open("192.0.2.4");
            connection.receive(failure);
            await().until(() -> !connection.isOpen());
            ErrorMessage error = connection.sent(ErrorMessage.class).get(0);
            answers.add(error.code() + " " + error.message());
            clock.advance(Duration.ofMinutes(5)); // no throttling in this test
        }
        assertThat(answers).containsOnly("AUTH_FAILED " + HandshakeHandler.AUTH_FAILED_MESSAGE);
    }

    @Test
    void aDeviceIdThatFailsTooOftenIsThrottledEvenForTheRightTokenUntilItsBlockEnds() {
        // from three addresses, so only the device id's count reaches its limit (3)
        for (int i = 0; i < 3; i++) {
            assertThat(login("192.0.2." + (10 + i), "alice", "victim", "guess-" + i)).isEqualTo(ErrorCode.AUTH_FAILED);
        }
        assertThat(throttled).isEmpty();
        assertThat(login("192.0.2.20", "alice", "victim", "tok-a")).as("throttled: the right token too").isEqualTo(ErrorCode.AUTH_FAILED);
        assertThat(throttled.get("device")).hasValue(1);
        assertThat(login("192.0.2.20", "alice", "other-device", "tok-a")).as("another device id").isNull();

        clock.advance(Duration.ofSeconds(1));
        assertThat(login("192.0.2.20", "alice", "victim", "tok-a")).as("after the block").isNull();
        // a success forgives the device id
        assertThat(login("192.0.2.20", "alice", "victim", "guess")).isEqualTo(ErrorCode.AUTH_FAILED);
        assertThat(login("192.0.2.20", "alice", "victim", "tok-a")).isNull();
    }

    @Test
    void anAddressThatFailsTooOftenIsThrottledWhateverDeviceItNames() {
        for (int i = 0; i < 8; i++) {
            login("192.0.2.30", "alice", "guesser-" + i, "guess-" + i);
        }
        assertThat(login("192.0.2.30", "alice", "fresh-device", "tok-a")).isEqualTo(ErrorCode.AUTH_FAILED);
        assertThat(throttled.get("address")).hasValue(1);
        assertThat(login("192.0.2.31", "alice", "fresh-device", "tok-a")).as("another address").isNull();
        assertThat(login(null, "alice", "fresh-device-2", "tok-a")).as("no address (MQTT)").isNull();
    }

    @Test
    void aSessionEndsWhenItsTokenExpiresAndNoMessageIsServedPastIt() {
        TestingConnection connection = open("192.0.2.40");
        connection.receive(hello("alice", "d1", HmacTokens.issue(SECRET, "alice", "d1", clock.instant().plusSeconds(1))));
        await().until(() -> !connection.sent(Welcome.class).isEmpty());
        connection.receive(new Ping(ProtocolVersion.CURRENT, 1));
        await().until(() -> !connection.sent(Pong.class).isEmpty());

        // the server's clock passes the expiry: the next message is not served, whatever the timer did
        clock.advance(Duration.ofSeconds(1));
        connection.receive(new Ping(ProtocolVersion.CURRENT, 2));
        await().until(() -> !connection.isOpen());
        assertThat(connection.closeCode()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
        assertThat(connection.sent(Pong.class)).hasSize(1);
    }

    @Test
    void theExpiryTimerEndsAnIdleSession() {
        TestingConnection connection = open("192.0.2.41");
        // the timer runs on real time, from the server clock's view of the expiry
        connection.receive(hello("alice", "d1", HmacTokens.issue(SECRET, "alice", "*", clock.instant().plusSeconds(1))));
        await().until(() -> !connection.sent(Welcome.class).isEmpty());
        await().atMost(Duration.ofSeconds(5)).until(() -> !connection.isOpen());
        assertThat(connection.closeCode()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
        assertThat(connection.sent(ErrorMessage.class).get(0).message()).contains("fresh token");
    }

    /** One login attempt; the code it was refused with, or null when it was welcomed. */
    private ErrorCode login(String address, String scope, String device, String token) {
        TestingConnection connection = open(address);
        connection.receive(hello(scope, device, token));
        await().until(() -> !connection.isOpen() || !connection.sent(Welcome.class).isEmpty());
        ErrorCode code = connection.isOpen() ? null : connection.closeCode();
        connection.close(null, null);
        return code;
    }

    private TestingConnection open(String address) {
        TestingConnection connection = new TestingConnection("test").peerAddress(address);
        connection.attach(server.accept(connection));
        return connection;
    }

    private static Hello hello(String scope, String device, String token) {
        return new Hello(ProtocolVersion.CURRENT, device, scope, token, 0, Hlc.ZERO);
    }
}
