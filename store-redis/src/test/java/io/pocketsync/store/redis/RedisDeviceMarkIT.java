package io.pocketsync.store.redis;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.testkit.store.AbstractDeviceMarkContractTest;
import io.pocketsync.testkit.store.StoreTestContext;
import java.time.Clock;
import java.util.Map;

/** The device-mark contract against the real Redis, under a key prefix of its own. */
class RedisDeviceMarkIT extends AbstractDeviceMarkContractTest {
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
