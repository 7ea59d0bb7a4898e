package io.pocketsync.transport.mqtt;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.ClientTransportProvider;
import java.util.Set;

/** Registers the MQTT client transport as {@code mqtt} for {@code tcp} and {@code ssl} broker URIs. */
public final class MqttClientTransportProvider implements ClientTransportProvider {
    @Override
    public String name() {
        return "mqtt";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("tcp", "ssl");
    }

    @Override
    public ClientTransport create(PluginConfig config, PluginContext context) {
        return new MqttClientTransport(MqttClientConfig.from(config), context);
    }
}
