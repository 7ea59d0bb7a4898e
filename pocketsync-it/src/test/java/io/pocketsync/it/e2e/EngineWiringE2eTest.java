package io.pocketsync.it.e2e;

import static io.pocketsync.it.e2e.E2eHarness.awaitConverged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.api.store.ServerStoreProvider;
import io.pocketsync.core.config.Settings;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.capture.TestDb;
import io.pocketsync.it.e2e.E2eHarness.Node;
import io.pocketsync.guice.PluginBinder;
import io.pocketsync.guice.ServerEngineModule;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Guice wiring builds a working server from settings; a device names its transport through discovery. */
class EngineWiringE2eTest {
    @TempDir
    Path dir;

    /** Binds the testkit's in-memory store under the name {@code memory}, as a store plugin's module would. */
    public static final class MemoryStoreProvider implements ServerStoreProvider {
        @Override
        public String name() {
            return "memory";
        }

        @Override
        public ServerStore create(PluginConfig config, PluginContext context) {
            return new InMemoryServerStore(context.nodeId(), context.clock());
        }
    }

    private static Injector injector(Map<String, String> settings) {
        return Guice.createInjector(new ServerEngineModule(Settings.of(settings)), new AbstractModule() {
            @Override
            protected void configure() {
                PluginBinder.of(binder()).bindServerStore("memory", MemoryStoreProvider.class);
            }
        });
    }

    @Test
    void anInjectorBuildsAServerFromSettingsThatSyncsDevices() {
        Injector injector = injector(Map.of("server.store", "memory", "server.auth", "anonymous",
                "resolver.table.todo", "field-merge", "server.max-batch-changes", "7", "server.node-id", "wired-node"));
        SyncServer server = injector.getInstance(SyncServer.class);
        assertThat(injector.getInstance(SyncServer.class)).isSameAs(server);
        assertThat(server.options().maxBatchChanges()).isEqualTo(7);
        assertThat(server.options().nodeId()).isEqualTo("wired-node");
        assertThat(injector.getInstance(ServerStore.class)).isInstanceOf(InMemoryServerStore.class);

        E2eHarness harness = new E2eHarness(dir, server, (InMemoryServerStore) injector.getInstance(ServerStore.class));
        try {
            Node a = harness.device("a");
            Node b = harness.device("b");
            for (int i = 0; i < 20; i++) {
                a.exec("INSERT INTO todo (id, title) VALUES (?, 't')", "r" + i);
            }
            awaitConverged(a, b);
            b.exec("UPDATE todo SET note = 'n' WHERE id = 'r3'");
            await().until(() -> "n".equals(a.value("r3", "note")));
            assertThat(harness.serverRow(a.gid("r3")).columnVersions()).isNotEmpty(); // field-merge keeps column versions
        }
        finally {
            harness.close();
        }
    }

    @Test
    void unknownProviderNamesFailWithTheNamesAvailable() {
        assertThatThrownBy(() -> injector(Map.of("server.store", "nosuch", "server.auth", "anonymous"))
                .getInstance(SyncServer.class))
                .isInstanceOf(ProvisionException.class)
                .rootCause().isInstanceOf(PocketSyncException.class).hasMessageContaining("memory");
        assertThatThrownBy(() -> injector(Map.of("server.store", "memory", "server.auth", "anonymous",
                "resolver.default", "coin-flip")).getInstance(SyncServer.class))
                .rootCause().hasMessageContaining("last-write-wins");
    }

    @Test
    void aDeviceNamingAnUnknownTransportFailsWithProviderNotFound() {
        TestDb db = new TestDb(dir, "t.db");
        db.exec(E2eHarness.TABLE_DDL);
        assertThatThrownBy(() -> PocketSyncDevice.builder().dataSource(db.dataSource).tables("todo").scope("s")
                .server(URI.create("pigeon://coop")).transport("pigeon").build())
                .isInstanceOfSatisfying(PocketSyncException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_NOT_FOUND);
                    assertThat(e.getMessage()).contains("pigeon").contains("available");
                });
    }
}
