package io.pocketsync.transport.mqtt;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import io.pocketsync.api.transport.ClientTransportProvider;
import io.pocketsync.api.transport.ServerTransportProvider;

/** Binds the MQTT transport providers under the name {@code mqtt}. */
public final class MqttTransportModule extends AbstractModule {
    @Override
    protected void configure() {
        MapBinder.newMapBinder(binder(), String.class, ServerTransportProvider.class)
                .addBinding("mqtt").to(MqttServerTransportProvider.class);
        MapBinder.newMapBinder(binder(), String.class, ClientTransportProvider.class)
                .addBinding("mqtt").to(MqttClientTransportProvider.class);
    }
}
