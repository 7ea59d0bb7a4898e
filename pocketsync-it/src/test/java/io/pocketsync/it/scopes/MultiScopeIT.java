package io.pocketsync.it.scopes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
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
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import io.pocketsync.it.support.Cleanup;
import io.pocketsync.it.support.SyncNode;
import io.pocketsync.it.support.TestEnv;
import io.pocketsync.server.engine.auth.StaticTokenAuthenticator;
import io.pocketsync.testkit.transport.TestingPluginContext;
import io.pocketsync.transport.mqtt.MqttClientConfig;
import io.pocketsync.transport.mqtt.MqttClientTransport;
import io.pocketsync.transport.websocket.WebSocketClientConfig;
import io.pocketsync.transport.websocket.WebSocketClientTransport;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Several scopes over one connection (protocol 3, issue #20 items 2 and 5), on both stores and both transports, by
 * devices that speak the protocol by hand: two devices share a team scope while each keeps a private one, and both
 * read a fleet configuration scope they may not write. What reaches each device is counted; hostile HELLOs (a token of
 * one scope for another, scope ids with topic or key characters) end only their own scope's session.
 */
class MultiScopeIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final int V = ProtocolVersion.CURRENT;

    @TempDir
    Path dir;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String alice = "alice-" + run;
    private final String bob = "bob-" + run;
    private final String team = "team:" + run; // ':' is allowed in ids: confined in topics and Redis keys alike
    private final String fleet = "fleet-" + run;
    private final String topicRoot = TestEnv.uniqueTopicRoot();
    private final String redisPrefix = TestEnv.unique("psit-scopes");
    private final List<ScopeClient> clients = new ArrayList<>();
    private final List<String> mqttSessions = new ArrayList<>();
    private SyncNode node;

    @AfterEach
    void closeAll() {
        clients.forEach(ScopeClient::close);
        Cleanup.afterNode(node, mqttSessions, redisPrefix);
    }

    @ParameterizedTest(name = "{0} store, {1}")
    @CsvSource({"sqlite, websocket", "sqlite, mqtt", "redis, websocket", "redis, mqtt"})
    void twoDevicesShareATeamScopeWhileEachKeepsAPrivateOne(String storeName, String transport) {
        start(storeName, transport);
        ScopeClient a = connect(transport, "dev-a", List.of(alice, team, fleet), Map.of(alice, "ta", team, "tt", fleet, "tf"));
        ScopeClient b = connect(transport, "dev-b", List.of(bob, team, fleet), Map.of(bob, "tb", team, "tt", fleet, "tf"));

        for (int i = 0; i < 3; i++) {
            assertThat(a.push(alice, change("dev-a", "todos", "a-private-" + i)).status()).isEqualTo(ChangeStatus.APPLIED);
        }
        for (int i = 0; i < 2; i++) {
            assertThat(a.push(team, change("dev-a", "projects", "a-shared-" + i)).status()).isEqualTo(ChangeStatus.APPLIED);
            assertThat(b.push(bob, change("dev-b", "todos", "b-private-" + i)).status()).isEqualTo(ChangeStatus.APPLIED);
        }
        assertThat(b.push(team, change("dev-b", "projects", "b-shared")).status()).isEqualTo(ChangeStatus.APPLIED);
        // the read-only fleet scope among the scopes refuses its own pushes, and only those
        assertThat(a.push(fleet, change("dev-a", "config", "c1")).errorCode()).isEqualTo(ErrorCode.SCOPE_READ_ONLY);

        // live: each device hears the other's team rows, and nothing of the other's private scope
        await().atMost(PATIENCE).until(() -> b.liveGids(team).size() == 2 && a.liveGids(team).size() == 1);
        assertThat(b.liveGids(team)).containsExactlyInAnyOrder("a-shared-0", "a-shared-1");
        assertThat(a.liveGids(team)).containsExactly("b-shared");

        // catch-up per scope, from 0: the team's rows of the other device, no private row, no fleet row
        assertThat(a.pullAll(team)).containsExactly("b-shared");
        assertThat(a.pullAll(alice)).isEmpty();
        assertThat(b.pullAll(team)).containsExactlyInAnyOrder("a-shared-0", "a-shared-1");
        assertThat(b.pullAll(fleet)).isEmpty();

        // counted over everything each device received, whichever scope it came in
        assertThat(b.receivedGids()).as("rows b received").noneMatch(gid -> gid.startsWith("a-private"))
                .filteredOn(gid -> gid.startsWith("a-shared")).hasSize(4); // 2 live + 2 in the catch-up
        assertThat(a.receivedGids()).as("rows a received").noneMatch(gid -> gid.startsWith("b-private"))
                .containsOnly("b-shared");
        assertThat(node.server().sessionCount()).as("one session per scope, over two connections").isEqualTo(6);
    }

    @ParameterizedTest(name = "{0} store, {1}")
    @CsvSource({"sqlite, websocket", "sqlite, mqtt", "redis, websocket", "redis, mqtt"})
    void hostileHellosEndOnlyTheirOwnScope(String storeName, String transport) {
        start(storeName, transport);
        ScopeClient b = connect(transport, "dev-b", List.of(bob), Map.of(bob, "tb"));
        b.push(bob, change("dev-b", "todos", "b-secret"));
        // a's connection lists bob's scope too, with its own alice token: a token for X used to subscribe to Y
        ScopeClient a = connect(transport, "dev-a", List.of(alice, bob), Map.of(alice, "ta", bob, "ta"));
        assertThat(a.awaitError(bob, e -> true).code()).isEqualTo(ErrorCode.AUTH_FAILED);
        a.awaitWelcome(alice);
        a.send(new Scoped(bob, new Pull(V, 0, 100)));
        a.send(new Scoped(team, new Pull(V, 0, 100))); // a scope the connection never said HELLO for
        for (String hostile : List.of("team/" + run, run + "+", "#", "{" + run + "}", "pocketsync/v1/" + run + "/dev-b/down")) {
            a.send(new Hello(V, "dev-a", hostile, "tb", 0, Hlc.of(System.currentTimeMillis(), 0), 0, null));
        }
        // the alice session goes on, and nothing of bob's ever reached a
        assertThat(a.push(alice, change("dev-a", "todos", "a-1")).status()).isEqualTo(ChangeStatus.APPLIED);
        assertThat(a.pullAll(alice)).isEmpty();
        assertThat(a.receivedGids()).doesNotContain("b-secret");
        assertThat(a.received()).noneMatch(m -> Scoped.untagged(m) instanceof Welcome && !a.scopeOf(m).equals(alice));
        assertThat(b.pullAll(bob)).isEmpty();
        assertThat(node.server().sessionCount()).isEqualTo(2);
    }

    private void start(String storeName, String transport) {
        SyncNode.Builder builder = SyncNode.builder()
                .store(SyncNode.store(storeName, dir, redisPrefix, "n1"))
                .authenticator(StaticTokenAuthenticator.parse(alice + ":ta," + bob + ":tb," + team + ":tt", fleet + ":tf"));
        node = ("websocket".equals(transport) ? builder.websocket() : builder.mqtt(topicRoot)).start();
    }

    private ScopeClient connect(String transport, String device, List<String> scopes, Map<String, String> tokens) {
        ClientTransport client;
        URI uri;
        if ("websocket".equals(transport)) {
            client = new WebSocketClientTransport(WebSocketClientConfig.from(PluginConfig.of("transport.websocket", Map.of())),
                    new TestingPluginContext(device));
            uri = node.websocketUri();
        }
        else {
            client = new MqttClientTransport(MqttClientConfig.from(PluginConfig.of("transport.mqtt", Map.of("topic-root", topicRoot))),
                    new TestingPluginContext(device));
            uri = URI.create(TestEnv.mqttUri());
            mqttSessions.add("ps:" + scopes.get(0) + ":" + device);
        }
        ScopeClient scopeClient = new ScopeClient(client, device, scopes, tokens);
        clients.add(scopeClient);
        client.start(new Endpoint(uri, scopes.get(0), device, scopes), scopeClient);
        return scopeClient;
    }

    private static Change change(String device, String table, String gid) {
        return new Change(device + "-" + UUID.randomUUID(), table, gid, Op.INSERT, Map.of("title", gid), List.of(),
                Hlc.of(System.currentTimeMillis(), 0), device);
    }

    /** A device of several scopes on one connection, by hand: a HELLO per scope at each connect, every message recorded. */
    private static final class ScopeClient implements ClientTransport.Listener {
        private final ClientTransport transport;
        private final String device;
        private final List<String> scopes;
        private final Map<String, String> tokens;
        private final List<Message> received = new CopyOnWriteArrayList<>();
        private int batches;

        ScopeClient(ClientTransport transport, String device, List<String> scopes, Map<String, String> tokens) {
            this.transport = transport;
            this.device = device;
            this.scopes = scopes;
            this.tokens = new LinkedHashMap<>(tokens);
        }

        @Override
        public void onConnected() {
            for (String scope : scopes) {
                transport.send(new Hello(V, device, scope, tokens.get(scope), 0, Hlc.of(System.currentTimeMillis(), 0), 0, null));
            }
        }

        @Override
        public void onMessage(Message message) {
            received.add(message);
        }

        List<Message> received() {
            return List.copyOf(received);
        }

        /** The scope a message belongs to: its tag, or the connection's first scope. */
        String scopeOf(Message message) {
            return message instanceof Scoped scoped ? scoped.scope() : scopes.get(0);
        }

        void send(Message message) {
            transport.send(message);
        }

        <T extends Message> T await(String scope, Class<T> type, Predicate<T> matching) {
            return org.awaitility.Awaitility.await().atMost(PATIENCE).until(() -> received.stream().filter(m -> scopeOf(m).equals(scope))
                    .map(Scoped::untagged).filter(type::isInstance).map(type::cast).filter(matching).findFirst().orElse(null),
                    found -> found != null);
        }

        Welcome awaitWelcome(String scope) {
            return await(scope, Welcome.class, w -> true);
        }

        ErrorMessage awaitError(String scope, Predicate<ErrorMessage> matching) {
            return await(scope, ErrorMessage.class, matching);
        }

        /** Pushes one change in {@code scope} and waits for its result. */
        io.pocketsync.api.protocol.ChangeResult push(String scope, Change change) {
            awaitWelcome(scope);
            String batch = device + "-" + ++batches;
            Push push = new Push(V, batch, List.of(change));
            transport.send(scope.equals(scopes.get(0)) ? push : new Scoped(scope, push));
            return await(scope, Ack.class, ack -> ack.batchId().equals(batch)).results().get(0);
        }

        /** Pulls {@code scope} from 0 to its head; the gids of the pages' rows. */
        List<String> pullAll(String scope) {
            List<String> gids = new ArrayList<>();
            long cursor = 0;
            Changes page;
            do {
                long from = cursor;
                transport.send(new Scoped(scope, new Pull(V, from, 100)));
                page = await(scope, Changes.class, c -> c.mode() != ChangesMode.LIVE && c.fromCursor() == from);
                page.changes().forEach(change -> gids.add(change.globalId()));
                cursor = page.cursor();
            }
            while (page.hasMore());
            return gids;
        }

        List<String> liveGids(String scope) {
            return received.stream().filter(m -> scopeOf(m).equals(scope)).map(Scoped::untagged)
                    .filter(m -> m instanceof Changes c && c.mode() == ChangesMode.LIVE)
                    .flatMap(m -> ((Changes) m).changes().stream()).map(Change::globalId).toList();
        }

        List<String> receivedGids() {
            return received.stream().map(Scoped::untagged).filter(Changes.class::isInstance)
                    .flatMap(m -> ((Changes) m).changes().stream()).map(Change::globalId).toList();
        }

        void close() {
            transport.close();
        }
    }
}
