package io.pocketsync.server.engine.assembly;

import static io.pocketsync.server.engine.assembly.TestingPlugins.store;
import static io.pocketsync.server.engine.assembly.TestingPlugins.transport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.auth.Credentials;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.api.transport.ServerTransport;
import io.pocketsync.core.config.Settings;
import io.pocketsync.server.engine.ServerListener;
import io.pocketsync.server.engine.auth.HmacTokens;
import io.pocketsync.testkit.server.RawClient;
import io.pocketsync.testkit.store.ForwardingServerStore;
import io.pocketsync.testkit.store.InMemoryServerStore;
import io.pocketsync.testkit.transport.InMemoryNetwork;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One assembly builds every part from the key set; what it starts it closes, in order, also after a failure. */
class ServerAssemblyTest {
    private static final String SECRET = "a-secret-of-more-than-16-bytes";

    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final InMemoryNetwork network = new InMemoryNetwork();

    @AfterEach
    void closeNetwork() {
        network.close();
    }

    /** "memory": the testkit's store; "net": the in-memory network; "a", "b": transports that record what they do. */
    private ServerPlugins plugins() {
        return TestingPlugins.of(
                List.of(store("memory", (config, context) -> new RecordingStore(new InMemoryServerStore(context.nodeId(),
                        context.clock())))),
                List.of(transport("net", (config, context) -> network.serverTransport()),
                        transport("a", (config, context) -> new RecordingTransport("a", config.get("fail").isPresent())),
                        transport("b", (config, context) -> new RecordingTransport("b", config.get("fail").isPresent()))));
    }

    private ServerAssembly assembly(Map<String, String> keys) {
        return ServerAssembly.of(Settings.of(keys), plugins(), Clock.systemUTC());
    }

    @Test
    void settingsAloneMakeAServerThatDevicesCanUse() {
        try (PocketSyncServer server = assembly(Map.of("server.store", "memory", "server.transports", "net",
                "server.auth", "static-token", "auth.static-token.tokens", "shop:t0ken", "server.node-id", "node-x"))
                .start(ServerListener.NONE)) {
            RawClient client = RawClient.welcomed(network, "shop", "dev-1", "t0ken", 0, System.currentTimeMillis());
            client.close();

            assertThat(server.engine().options().nodeId()).isEqualTo("node-x");
            assertThat(server.store()).isInstanceOf(RecordingStore.class);
            assertThat(server.transports()).containsOnlyKeys("net");
            assertThat(server.address("net")).as("the in-memory transport has no address").isEmpty();
            assertThat(server.address("websocket")).isEmpty();
        }
    }

    @Test
    void transportsStartInTheConfiguredOrderAndEverythingClosesInReverse() {
        PocketSyncServer server = assembly(Map.of("server.store", "memory", "server.transports", "b,a",
                "server.allow-anonymous", "true")).start(ServerListener.NONE);
        assertThat(server.address("a")).contains(URI.create("test://a"));

        server.close();
        server.close();

        assertThat(events).containsExactly("create b", "create a", "start b", "start a", "close a", "close b", "close store");
    }

    @Test
    void aTransportThatFailsToStartClosesEverythingCreatedBeforeIt() {
        assertThatThrownBy(() -> assembly(Map.of("server.store", "memory", "server.transports", "a,b",
                "transport.b.fail", "yes", "server.allow-anonymous", "true")).start(ServerListener.NONE))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TRANSPORT_CLOSED));

        assertThat(events).startsWith("create a", "create b", "start a", "start b").contains("close a", "close b", "close store");
    }

    @Test
    void anUnknownTransportFailsBeforeTheStoreOpens() {
        assertThatThrownBy(() -> assembly(Map.of("server.store", "memory", "server.transports", "a,pigeon",
                "server.allow-anonymous", "true")).start(ServerListener.NONE))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_NOT_FOUND))
                .hasMessageContaining("pigeon").hasMessageContaining("available: a, b, net");

        assertThat(events).containsExactly("create a", "close a");
    }

    @Test
    void withoutAnAuthenticatorTheServerRefusesToStartAndClosesTheStore() {
        assertThatThrownBy(() -> assembly(Map.of("server.store", "memory", "server.transports", "a")).start(ServerListener.NONE))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("server.auth").hasMessageContaining("server.allow-anonymous");

        assertThat(events).containsExactly("create a", "close a", "close store");
    }

    @Test
    void authenticatorsAreTriedInTheConfiguredOrder() {
        Authenticator authenticator = assembly(Map.of("server.auth", "static-token, hmac",
                "auth.static-token.tokens", "ops:ops-token", "auth.hmac.secret", SECRET)).authenticator();

        String signed = HmacTokens.issue(SECRET.getBytes(StandardCharsets.UTF_8), "shop", "*", Instant.now().plusSeconds(60));
        assertThat(authenticator.authenticate(new Credentials("ops", "d", "ops-token")).scope().name()).isEqualTo("ops");
        assertThat(authenticator.authenticate(new Credentials("shop", "d", signed)).scope().name()).isEqualTo("shop");
        assertThatThrownBy(() -> authenticator.authenticate(new Credentials("shop", "d", "guess")))
                .isInstanceOf(PocketSyncException.class);
    }

    @Test
    void allowAnonymousMeansTheAnonymousAuthenticatorWithItsKeys() {
        Authenticator authenticator = assembly(Map.of("server.allow-anonymous", "true", "auth.anonymous.scopes", "open"))
                .authenticator();

        assertThat(authenticator.authenticate(new Credentials("open", "d", "")).scope().name()).isEqualTo("open");
        assertThatThrownBy(() -> authenticator.authenticate(new Credentials("closed", "d", "")))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SCOPE_FORBIDDEN));
    }

    private final class RecordingStore extends ForwardingServerStore {
        RecordingStore(ServerStore delegate) {
            super(delegate);
        }

        @Override
        public void close() {
            events.add("close store");
            super.close();
        }
    }

    private final class RecordingTransport implements ServerTransport {
        private final String name;
        private final boolean failing;
        private volatile boolean started;

        RecordingTransport(String name, boolean failing) {
            this.name = name;
            this.failing = failing;
            events.add("create " + name);
        }

        @Override
        public void start(Acceptor acceptor) {
            events.add("start " + name);
            if (failing) {
                throw new PocketSyncException(ErrorCode.TRANSPORT_CLOSED, "cannot bind " + name);
            }
            started = true;
        }

        @Override
        public int connectionCount() {
            return 0;
        }

        @Override
        public Optional<URI> address() {
            return started ? Optional.of(URI.create("test://" + name)) : Optional.empty();
        }

        @Override
        public void close() {
            events.add("close " + name);
        }
    }
}
