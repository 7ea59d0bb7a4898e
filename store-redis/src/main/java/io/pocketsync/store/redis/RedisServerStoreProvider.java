package io.pocketsync.store.redis;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.api.store.ServerStoreProvider;

/** Registers {@link RedisServerStore} as {@code redis}; settings under {@code store.redis} ({@link RedisStoreConfig}). */
public final class RedisServerStoreProvider implements ServerStoreProvider {
    /** The name the store is selected by. */
    public static final String NAME = "redis";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ServerStore create(PluginConfig config, PluginContext context) {
        return new RedisServerStore(RedisStoreConfig.from(config), context.nodeId(), context.clock());
    }
}
