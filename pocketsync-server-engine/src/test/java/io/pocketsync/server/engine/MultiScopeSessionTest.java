package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;


import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Scoped;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.server.engine.auth.StaticTokenAuthenticator;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Several scopes on one connection (protocol 3, docs/protocol.md 3.9): one session per scope, each on its own. */
class MultiScopeSessionTest {
    private static final long NOW = ServerHarness.NOW_MILLIS;
    private static final int V = ProtocolVersion.CURRENT;

    private final InMemoryServerStore store = new InMemoryServerStore();
    private final SyncServer server = SyncServer.builder().store(store)
            .authenticator(StaticTokenAuthenticator.parse("alice:ta,bob:tb,team:tt", "fleet:tf"))
            .resolvers(TableResolvers.lastWriteWins()).options(ServerOptions.builder().nodeId("n").build())
            .clock(new ServerHarness.MutableClock(Instant.ofEpochMilli(NOW))).build();

    MultiScopeSessionTest() {
        server.start();
    }

    @AfterEach
    void close() {
        server.close();
        store.close();
    }

    private TestingConnection connect() {
        TestingConnection connection = new TestingConnection("test");
        connection.attach(server.accept(connection));
        return connection;
    }

    private static Hello hello(String device, String scope, String token, List<String> tables) {
        return new Hello(V, device, scope, token, 0, Hlc.of(NOW, 0), 0, tables);
    }

    private static Change insert(String device, String table, String gid) {
        return new Change(device + "-" + UUID.randomUUID(), table, gid, Op.INSERT, Map.of("title", gid), List.of(),
                Hlc.of(NOW, 0), device);
    }

    private static <T extends Message> T await(TestingConnection connection, String scope, Class<T> type,
            java.util.function.Predicate<T> matching) {
        return Awaitility.await().until(() -> connection.sent().stream()
                .filter(m -> scope == null ? !(m instanceof Scoped) : m instanceof Scoped s && s.scope().equals(scope))
                .map(Scoped::untagged).filter(type::isInstance).map(type::cast).filter(matching).findFirst().orElse(null),
                found -> found != null);
    }

    @Test
    void twoDevicesShareATeamScopeWhileEachKeepsAPrivateOne() {
        TestingConnection a = connect();
        a.receive(hello("dev-a", "alice", "ta", List.of("todos")));
        a.receive(hello("dev-a", "team", "tt", List.of("projects")));
        await(a, null, Welcome.class, w -> true); // the first scope's messages are untagged
        await(a, "team", Welcome.class, w -> true);
        TestingConnection b = connect();
        b.receive(hello("dev-b", "bob", "tb", List.of("todos")));
        b.receive(hello("dev-b", "team", "tt", List.of("projects")));
        await(b, "team", Welcome.class, w -> true);

        a.receive(new Push(V, "a1", List.of(insert("dev-a", "todos", "private-a"))));
        a.receive(new Scoped("team", new Push(V, "a2", List.of(insert("dev-a", "projects", "shared")))));
        assertThat(await(a, null, Ack.class, ack -> ack.batchId().equals("a1")).results().get(0).status())
                .isEqualTo(ChangeStatus.APPLIED);
        assertThat(await(a, "team", Ack.class, ack -> ack.batchId().equals("a2")).results().get(0).status())
                .isEqualTo(ChangeStatus.APPLIED);

        Changes shared = await(b, "team", Changes.class, c -> c.mode() == ChangesMode.LIVE);
        assertThat(shared.changes()).extracting(Change::globalId).containsExactly("shared");
        b.receive(new Scoped("bob", new Pull(V, 0, 100)));
        Changes own = await(b, null, Changes.class, c -> c.mode() == ChangesMode.CATCH_UP);
        assertThat(own.changes()).isEmpty();
        // nothing of alice's scope ever reached b, tagged or not
        assertThat(b.sent()).noneMatch(m -> Scoped.untagged(m) instanceof Changes c
                && c.changes().stream().anyMatch(change -> change.globalId().equals("private-a")));
        assertThat(server.sessionCount()).isEqualTo(4);
    }

    @Test
    void aConnectionOfSeveralScopesCountsAsOneConnection() {
        java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
        try (SyncServer counted = SyncServer.builder().store(store)
                .authenticator(StaticTokenAuthenticator.parse("alice:ta,team:tt", "")).resolvers(TableResolvers.lastWriteWins())
                .options(ServerOptions.builder().nodeId("n").build()).clock(new ServerHarness.MutableClock(Instant.ofEpochMilli(NOW)))
                .listener(new ServerListener() {
                    @Override
                    public void connected(String transport) {
                        open.incrementAndGet();
                    }

                    @Override
                    public void disconnected(String transport) {
                        open.decrementAndGet();
                    }
                }).build()) {
            counted.start();
            TestingConnection a = new TestingConnection("test");
            a.attach(counted.accept(a));
            a.receive(hello("dev-a", "alice", "ta", null));
            await(a, null, Welcome.class, w -> true);
            a.receive(hello("dev-a", "team", "wrong", null)); // a refused scope ends its session, not the connection
            await(a, "team", ErrorMessage.class, e -> e.code() == ErrorCode.AUTH_FAILED);
            // the refused session ends after its ERROR is sent: a HELLO before that would reach the ending session
            Awaitility.await().until(() -> counted.sessionCount() == 1);
            assertThat(open).hasValue(1);
            a.receive(hello("dev-a", "team", "tt", null));
            await(a, "team", Welcome.class, w -> true);
            assertThat(counted.sessionCount()).isEqualTo(2);
            assertThat(open).hasValue(1);

            a.close(ErrorCode.TRANSPORT_CLOSED, "gone");
            assertThat(open).hasValue(0);
        }
    }

    @Test
    void aTokenOfAnotherScopeEndsOnlyThatScopesHello() {
        TestingConnection a = connect();
        a.receive(hello("dev-a", "alice", "ta", null));
        await(a, null, Welcome.class, w -> true);
        a.receive(hello("dev-a", "team", "ta", null)); // alice's token does not open team
        ErrorMessage refused = await(a, "team", ErrorMessage.class, e -> true);
        assertThat(refused.code()).isEqualTo(ErrorCode.AUTH_FAILED);
        assertThat(a.isOpen()).isTrue();
        // a message for the refused scope opens nothing; the first scope goes on
        a.receive(new Scoped("team", new Push(V, "sneak", List.of(insert("dev-a", "projects", "x")))));
        assertThat(await(a, "team", ErrorMessage.class, e -> e.code() == ErrorCode.HELLO_REQUIRED)).isNotNull();
        a.receive(new Push(V, "ok", List.of(insert("dev-a", "todos", "t"))));
        await(a, null, Ack.class, ack -> ack.batchId().equals("ok"));
        assertThat(server.sessionCount()).isEqualTo(1);
    }

    @Test
    void aReadOnlyScopeAmongTheScopesRefusesOnlyItsOwnChanges() {
        TestingConnection a = connect();
        a.receive(hello("dev-a", "alice", "ta", null));
        a.receive(hello("dev-a", "fleet", "tf", null));
        await(a, "fleet", Welcome.class, w -> true);
        a.receive(new Scoped("fleet", new Push(V, "f", List.of(insert("dev-a", "config", "c")))));
        a.receive(new Push(V, "p", List.of(insert("dev-a", "todos", "t"))));
        assertThat(await(a, "fleet", Ack.class, ack -> true).results().get(0).errorCode()).isEqualTo(ErrorCode.SCOPE_READ_ONLY);
        assertThat(await(a, null, Ack.class, ack -> true).results().get(0).status()).isEqualTo(ChangeStatus.APPLIED);
    }

    @Test
    void aScopeIdWithTopicOrKeyCharactersIsRefusedAlone() {
        TestingConnection a = connect();
        a.receive(hello("dev-a", "alice", "ta", null));
        await(a, null, Welcome.class, w -> true);
        for (String hostile : List.of("team/x", "team+", "#", "{team}", "a b")) {
            a.receive(hello("dev-a", hostile, "tt", null));
            assertThat(await(a, hostile, ErrorMessage.class, e -> true).code()).isEqualTo(ErrorCode.IDENTIFIER_INVALID);
        }
        assertThat(a.isOpen()).isTrue();
        assertThat(server.sessionCount()).isEqualTo(1);
    }

    @Test
    void theLastScopesEndClosesTheConnection() {
        TestingConnection a = connect();
        a.receive(hello("dev-a", "alice", "wrong", null));
        Awaitility.await().until(() -> !a.isOpen());
        assertThat(a.closeCode()).isEqualTo(ErrorCode.AUTH_FAILED);
    }

    @Test
    void aVersion2HelloOfAnotherScopeIsStillRefusedOnTheSession() {
        TestingConnection a = connect();
        a.receive(new Hello(2, "dev-a", "alice", "ta", 0, Hlc.of(NOW, 0)));
        await(a, null, Welcome.class, w -> true);
        a.receive(new Hello(2, "dev-a", "team", "tt", 0, Hlc.of(NOW, 0)));
        assertThat(await(a, null, ErrorMessage.class, e -> true).code()).isEqualTo(ErrorCode.INVALID_FIELD);
        assertThat(server.sessionCount()).isEqualTo(1);
    }
}
