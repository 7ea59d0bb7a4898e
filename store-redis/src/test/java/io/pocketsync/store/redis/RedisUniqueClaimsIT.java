package io.pocketsync.store.redis;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.testkit.store.AbstractUniqueClaimsContractTest;
import io.pocketsync.testkit.store.StoreTestContext;
import java.time.Clock;
import java.util.Map;

/**
 * The unique-claim contract against the real Redis; every test has its own key prefix and deletes only its keys.
 * Two stores in one test are two server nodes sharing that Redis.
 */
class RedisUniqueClaimsIT extends AbstractUniqueClaimsContractTest {
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
