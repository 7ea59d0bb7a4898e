package io.pocketsync.transport.mqtt;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.transport.ServerTransport;
import io.pocketsync.api.transport.ServerTransportProvider;

/** Registers the MQTT server bridge as {@code mqtt}; keys in {@link MqttServerConfig}. */
public final class MqttServerTransportProvider implements ServerTransportProvider {
    @Override
    public String name() {
        return "mqtt";
    }

    @Override
    public ServerTransport create(PluginConfig config, PluginContext context) {
        return new MqttServerTransport(MqttServerConfig.from(config), context);
    }
}
