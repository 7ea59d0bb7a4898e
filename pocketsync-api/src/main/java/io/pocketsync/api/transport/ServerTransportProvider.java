package io.pocketsync.api.transport;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;

/** Registers the server side of a transport; config namespace {@code transport.<name>}. */
public interface ServerTransportProvider {
    /**
     * The name, e.g. {@code websocket}.
     *
     * @return the name configuration selects this provider by
     */
    String name();

    /**
     * Creates a server transport (not yet started).
     *
     * @param config the keys under {@code transport.<name>}
     * @param context engine services
     * @return the transport
     * @throws io.pocketsync.api.PocketSyncException with {@code CONFIG_INVALID} for a bad or unknown key
     */
    ServerTransport create(PluginConfig config, PluginContext context);
}
