package io.pocketsync.guice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.core.config.Settings;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.server.engine.assembly.PocketSyncServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Guice module reads the key set the CLI reads, and serves the configured transports through the same assembly. */
class ServerEngineModuleTest {
    @TempDir
    Path dir;

    @Test
    void theConfiguredStoreAndTransportsServeTheBoundEngine() {
        Injector injector = Guice.createInjector(new ServerEngineModule(Settings.of(Map.of(
                "store.sqlite.path", dir.resolve("server.db").toString(),
                "server.allow-anonymous", "true",
                "server.transports", "websocket",
                "transport.websocket.port", "0",
                "server.node-id", "guice-node"))));

        try (PocketSyncServer server = injector.getInstance(PocketSyncServer.class)) {
            assertThat(server.engine()).isSameAs(injector.getInstance(SyncServer.class));
            assertThat(server.store()).isSameAs(injector.getInstance(ServerStore.class));
            assertThat(server.engine().options().nodeId()).isEqualTo("guice-node");
            URI address = server.address("websocket").orElseThrow();
            assertThat(address.getScheme()).isEqualTo("ws");
            assertThat(address.getPort()).isPositive();
        }
    }

    @Test
    void aKeyOfATransportThatIsNotServedFailsAsItDoesForTheCli() {
        Injector injector = Guice.createInjector(new ServerEngineModule(Settings.of(Map.of(
                "server.allow-anonymous", "true", "transport.websocket.port", "0", "server.transports", "none-yet"))));

        assertThatThrownBy(() -> injector.getInstance(SyncServer.class))
                .isInstanceOf(ProvisionException.class)
                .rootCause().isInstanceOfSatisfying(PocketSyncException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("'transport.websocket.port' configures the transport 'websocket'");
    }
}
