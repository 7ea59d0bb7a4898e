package io.pocketsync.transport.websocket;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.ClientTransportProvider;
import java.util.Set;

/** Registers the WebSocket client transport as {@code websocket} for {@code ws} and {@code wss} URIs. */
public final class WebSocketClientTransportProvider implements ClientTransportProvider {
    @Override
    public String name() {
        return "websocket";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("ws", "wss");
    }

    @Override
    public ClientTransport create(PluginConfig config, PluginContext context) {
        return new WebSocketClientTransport(WebSocketClientConfig.from(config), context);
    }
}
