package io.pocketsync.store.redis;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.testkit.store.AbstractScopeNotesContractTest;
import io.pocketsync.testkit.store.StoreTestContext;
import java.time.Clock;
import java.util.Map;

/** The scope-notes contract against the real Redis, under a key prefix of its own. */
class RedisScopeNotesIT extends AbstractScopeNotesContractTest {
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
}
