package io.pocketsync.core.device;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.codec.CodecProvider;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.ClientTransportProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Finds a {@link ClientTransportProvider} by name or URI scheme through {@link ServiceLoader}, for
 * builders that name a transport instead of passing one. An unknown or ambiguous name fails with
 * the list of available names.
 */
final class TransportLookup {
    private TransportLookup() {}

    static ClientTransport create(String nameOrScheme, PluginConfig config, PluginContext context) {
        List<ClientTransportProvider> matches = new ArrayList<>();
        TreeSet<String> known = new TreeSet<>();
        for (ClientTransportProvider provider : ServiceLoader.load(ClientTransportProvider.class,
                ClientTransportProvider.class.getClassLoader())) {
            known.add(provider.name() + " " + provider.schemes());
            if (provider.name().equals(nameOrScheme)) {
                matches.add(0, provider);
            }
            else if (provider.schemes().contains(nameOrScheme)) {
                matches.add(provider);
            }
        }
        if (matches.isEmpty()) {
            throw new PocketSyncException(ErrorCode.PROVIDER_NOT_FOUND, "no client transport named '" + nameOrScheme
                    + "'; available: " + (known.isEmpty() ? "none (add a transport module)" : known));
        }
        if (matches.size() > 1 && !matches.get(0).name().equals(nameOrScheme)) {
            throw new PocketSyncException(ErrorCode.PROVIDER_AMBIGUOUS, "several client transports serve '" + nameOrScheme
                    + "': " + known + "; name one");
        }
        ClientTransportProvider provider = matches.get(0);
        PluginConfig scoped = config.namespace().isEmpty() ? PluginConfig.of("transport." + provider.name(), config.asMap()) : config;
        return provider.create(scoped, context);
    }

    /** A plugin context for a device: codecs found through ServiceLoader by name. */
    static PluginContext context(String nodeId) {
        return new PluginContext() {
            @Override
            public String nodeId() {
                return nodeId;
            }

            @Override
            public Codec codec(String name) {
                TreeSet<String> known = new TreeSet<>();
                for (CodecProvider provider : ServiceLoader.load(CodecProvider.class, CodecProvider.class.getClassLoader())) {
                    if (provider.name().equals(name)) {
                        return provider.create(PluginConfig.empty("codec." + name), this);
                    }
                    known.add(provider.name());
                }
                throw new PocketSyncException(ErrorCode.PROVIDER_NOT_FOUND, "no codec named '" + name + "'; available: " + known);
            }
        };
    }
}
