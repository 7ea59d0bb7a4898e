package io.pocketsync.api.store;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;

/** Registers a {@link ServerStore} under a name; config namespace {@code store.<name>}. */
public interface ServerStoreProvider {
    /**
     * The name, e.g. {@code sqlite}.
     *
     * @return the name configuration selects this provider by
     */
    String name();

    /**
     * Opens the store (creating its schema if needed).
     *
     * @param config the keys under {@code store.<name>}
     * @param context engine services
     * @return the open store; the caller closes it
     * @throws io.pocketsync.api.PocketSyncException with {@code CONFIG_INVALID} for a bad or unknown key, or
     *         {@code STORE_UNAVAILABLE} when the store cannot be opened
     */
    ServerStore create(PluginConfig config, PluginContext context);
}
