package io.pocketsync.transport.websocket;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import io.pocketsync.api.transport.ClientTransportProvider;
import io.pocketsync.api.transport.ServerTransportProvider;

/** Binds the WebSocket transport providers under the name {@code websocket}. */
public final class WebSocketTransportModule extends AbstractModule {
    @Override
    protected void configure() {
        MapBinder.newMapBinder(binder(), String.class, ServerTransportProvider.class)
                .addBinding("websocket").to(WebSocketServerTransportProvider.class);
        MapBinder.newMapBinder(binder(), String.class, ClientTransportProvider.class)
                .addBinding("websocket").to(WebSocketClientTransportProvider.class);
    }
}
