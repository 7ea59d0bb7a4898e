package io.pocketsync.store.sqlite;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.api.store.ServerStoreProvider;

/** Registers {@link SqliteServerStore} as {@code sqlite}; settings under {@code store.sqlite} ({@link SqliteStoreConfig}). */
public final class SqliteServerStoreProvider implements ServerStoreProvider {
    /** The name the store is selected by. */
    public static final String NAME = "sqlite";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ServerStore create(PluginConfig config, PluginContext context) {
        return new SqliteServerStore(SqliteStoreConfig.from(config), context.nodeId(), context.clock());
    }
}
