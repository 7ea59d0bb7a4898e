package io.pocketsync.store.sqlite.server;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.server.engine.auth.StaticTokenAuthenticator;
import io.pocketsync.server.engine.conflict.FieldMergeResolver;
import io.pocketsync.server.engine.conflict.LastWriteWinsResolver;
import io.pocketsync.server.engine.ServerOptions;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.server.engine.TableResolvers;
import io.pocketsync.store.sqlite.SqliteServerStoreProvider;
import io.pocketsync.store.sqlite.SqliteStoreConfig;
import io.pocketsync.testkit.server.AbstractSyncServerStoreTest;
import io.pocketsync.testkit.server.ServerSetup;
import io.pocketsync.testkit.store.StoreTestContext;
import io.pocketsync.testkit.transport.InMemoryServerTransport;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;

/** The server engine over a real SQLite store file, driven by raw protocol clients. */
class SqliteSyncServerTest extends AbstractSyncServerStoreTest {
    @TempDir
    Path directory;

    @Override
    protected ServerStore newStore(String nodeId, Clock clock) {
        return new SqliteServerStoreProvider().create(
                PluginConfig.of(SqliteStoreConfig.NAMESPACE, Map.of("path", directory.resolve("server.db").toString())),
                new StoreTestContext(nodeId, clock));
    }

    @Override
    protected AutoCloseable startServer(ServerStore store, InMemoryServerTransport transport, ServerSetup setup) {
        ConflictResolver resolver = "field-merge".equals(setup.defaultResolver()) ? new FieldMergeResolver()
                : new LastWriteWinsResolver();
        SyncServer server = SyncServer.builder().store(store)
                .authenticator(new StaticTokenAuthenticator(setup.tokens().entrySet().stream()
                        .collect(Collectors.toMap(Map.Entry::getKey, entry -> List.of(entry.getValue())))))
                .resolvers(TableResolvers.of(resolver, setup.tableResolvers()))
                .options(ServerOptions.builder().nodeId(setup.nodeId()).workerThreads(2).build())
                .clock(setup.clock()).build();
        server.start();
        transport.start(server::accept);
        return server;
    }
}
