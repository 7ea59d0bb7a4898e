package io.pocketsync.store.redis.server;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.core.auth.StaticTokenAuthenticator;
import io.pocketsync.core.conflict.FieldMergeResolver;
import io.pocketsync.core.conflict.LastWriteWinsResolver;
import io.pocketsync.core.server.ServerOptions;
import io.pocketsync.core.server.SyncServer;
import io.pocketsync.core.server.TableResolvers;
import io.pocketsync.store.redis.RedisServerStoreProvider;
import io.pocketsync.store.redis.RedisTestSupport;
import io.pocketsync.store.redis.RedisStoreConfig;
import io.pocketsync.testkit.server.AbstractSyncServerStoreTest;
import io.pocketsync.testkit.server.ServerSetup;
import io.pocketsync.testkit.store.StoreTestContext;
import io.pocketsync.testkit.transport.InMemoryServerTransport;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The server engine over the real Redis, driven by raw protocol clients; each test has its own key prefix
 * and deletes only its keys.
 */
class RedisSyncServerIT extends AbstractSyncServerStoreTest {
    private final String prefix = RedisTestSupport.uniquePrefix();

    @Override
    protected ServerStore newStore(String nodeId, Clock clock) {
        return new RedisServerStoreProvider().create(
                PluginConfig.of(RedisStoreConfig.NAMESPACE, Map.of("uri", RedisTestSupport.uri(), "prefix", prefix)),
                new StoreTestContext(nodeId, clock));
    }

    @Override
    protected void cleanUp() {
        RedisTestSupport.deleteKeys(RedisTestSupport.uri(), prefix);
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
