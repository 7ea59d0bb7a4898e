package io.pocketsync.api.transport;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;

/** Registers the server side of a transport; config namespace {@code transport.<name>}. */
public interface ServerTransportProvider {
    /** The name, e.g. {@code websocket}. */
    String name();

    /** Creates a server transport (not yet started). */
    ServerTransport create(PluginConfig config, PluginContext context);
}
