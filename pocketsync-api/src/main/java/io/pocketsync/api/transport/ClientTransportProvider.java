package io.pocketsync.api.transport;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import java.util.Set;

/** Registers the device side of a transport; config namespace {@code transport.<name>}. */
public interface ClientTransportProvider {
    /** The name, e.g. {@code websocket}. */
    String name();

    /** URI schemes this transport serves, e.g. {@code ws}, {@code wss}; used to pick a transport from a URL. */
    Set<String> schemes();

    /** Creates a client transport. */
    ClientTransport create(PluginConfig config, PluginContext context);
}
