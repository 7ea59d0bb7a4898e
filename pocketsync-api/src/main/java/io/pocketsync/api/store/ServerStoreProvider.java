package io.pocketsync.api.store;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;

/** Registers a {@link ServerStore} under a name; config namespace {@code store.<name>}. */
public interface ServerStoreProvider {
    /** The name, e.g. {@code sqlite}. */
    String name();

    /** Opens the store (creating its schema if needed). */
    ServerStore create(PluginConfig config, PluginContext context);
}
