package io.pocketsync.transport.websocket;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.transport.ServerTransport;
import io.pocketsync.api.transport.ServerTransportProvider;

/** Registers the WebSocket server transport as {@code websocket}; keys in {@link WebSocketServerConfig}. */
public final class WebSocketServerTransportProvider implements ServerTransportProvider {
    @Override
    public String name() {
        return "websocket";
    }

    @Override
    public ServerTransport create(PluginConfig config, PluginContext context) {
        return new WebSocketServerTransport(WebSocketServerConfig.from(config), context);
    }
}
