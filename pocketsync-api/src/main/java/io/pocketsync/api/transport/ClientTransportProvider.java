package io.pocketsync.api.transport;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import java.util.Set;

/** Registers the device side of a transport; config namespace {@code transport.<name>}. */
public interface ClientTransportProvider {
    /**
     * The name, e.g. {@code websocket}.
     *
     * @return the name configuration and discovery select this provider by
     */
    String name();

    /**
     * URI schemes this transport serves, e.g. {@code ws}, {@code wss}; used to pick a transport from a URL.
     *
     * @return lower-case schemes; not empty
     */
    Set<String> schemes();

    /**
     * Creates a client transport.
     *
     * @param config the keys under {@code transport.<name>}
     * @param context engine services
     * @return a transport not started yet
     * @throws io.pocketsync.api.PocketSyncException with {@code CONFIG_INVALID} for a bad or unknown key
     */
    ClientTransport create(PluginConfig config, PluginContext context);
}
