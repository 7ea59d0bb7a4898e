package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.ClientTransportProvider;
import io.pocketsync.core.config.DefaultPluginContext;
import io.pocketsync.core.config.Settings;
import io.pocketsync.core.discovery.ProviderRegistry;
import io.pocketsync.core.discovery.Providers;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Picks the {@link ClientTransportProvider} a device builder names, through {@link Providers discovery}: by
 * provider name first, else by URI scheme ({@code ws}, {@code tcp}, ...). An unknown name or scheme fails with
 * {@code PROVIDER_NOT_FOUND} listing what is available; a scheme served by several transports fails with
 * {@code PROVIDER_AMBIGUOUS}. Stateless.
 */
final class ClientTransports {
    private ClientTransports() {}

    static ClientTransport create(String nameOrScheme, PluginConfig config, String deviceId, Clock clock) {
        return create(Providers.clientTransports(), nameOrScheme, config, deviceId, clock);
    }

    static ClientTransport create(ProviderRegistry<ClientTransportProvider> registry, String nameOrScheme, PluginConfig config,
            String deviceId, Clock clock) {
        requireNonNull(nameOrScheme, "nameOrScheme is null");
        requireNonNull(config, "config is null");
        ClientTransportProvider provider = select(registry, nameOrScheme);
        PluginConfig scoped = config.namespace().isEmpty() ? PluginConfig.of("transport." + provider.name(), config.asMap()) : config;
        PluginContext context = new DefaultPluginContext(deviceId, clock, Providers.codecs(), Settings.empty());
        return provider.create(scoped, context);
    }

    static ClientTransportProvider select(ProviderRegistry<ClientTransportProvider> registry, String nameOrScheme) {
        if (registry.names().contains(nameOrScheme)) {
            return registry.get(nameOrScheme);
        }
        List<ClientTransportProvider> byScheme = new ArrayList<>();
        TreeSet<String> known = new TreeSet<>();
        for (String name : registry.names()) {
            ClientTransportProvider provider = registry.get(name);
            known.add(name + " " + new TreeSet<>(provider.schemes()));
            if (provider.schemes().contains(nameOrScheme)) {
                byScheme.add(provider);
            }
        }
        if (byScheme.isEmpty()) {
            throw new PocketSyncException(ErrorCode.PROVIDER_NOT_FOUND, "no client transport named or serving scheme '"
                    + nameOrScheme + "'; available: " + (known.isEmpty() ? "none (add a transport dependency)" : String.join(", ", known)));
        }
        if (byScheme.size() > 1) {
            throw new PocketSyncException(ErrorCode.PROVIDER_AMBIGUOUS, "several client transports serve scheme '" + nameOrScheme
                    + "': " + String.join(", ", known) + "; select one by name");
        }
        return byScheme.get(0);
    }
}
