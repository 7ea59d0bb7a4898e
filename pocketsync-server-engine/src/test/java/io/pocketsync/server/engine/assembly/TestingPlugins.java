package io.pocketsync.server.engine.assembly;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.api.store.ServerStoreProvider;
import io.pocketsync.api.transport.ServerTransport;
import io.pocketsync.api.transport.ServerTransportProvider;
import io.pocketsync.core.discovery.ProviderRegistry;
import java.util.List;
import java.util.function.BiFunction;

/** Store and transport providers made of lambdas, beside the discovered authenticators, resolvers and codecs. */
final class TestingPlugins {
    private TestingPlugins() {}

    static ServerPlugins of(List<ServerStoreProvider> stores, List<ServerTransportProvider> transports) {
        return ServerPlugins.discovered()
                .withStores(ProviderRegistry.of(ServerStoreProvider.class, ServerStoreProvider::name, stores))
                .withTransports(ProviderRegistry.of(ServerTransportProvider.class, ServerTransportProvider::name, transports));
    }

    static ServerStoreProvider store(String name, BiFunction<PluginConfig, PluginContext, ServerStore> create) {
        requireNonNull(name, "name is null");
        return new ServerStoreProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ServerStore create(PluginConfig config, PluginContext context) {
                return create.apply(config, context);
            }
        };
    }

    static ServerTransportProvider transport(String name, BiFunction<PluginConfig, PluginContext, ServerTransport> create) {
        requireNonNull(name, "name is null");
        return new ServerTransportProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ServerTransport create(PluginConfig config, PluginContext context) {
                return create.apply(config, context);
            }
        };
    }

    /** A provider whose create must not be called: only its name matters. */
    static ServerTransportProvider transportNamed(String name) {
        return transport(name, (config, context) -> {
            throw new AssertionError("transport " + name + " created");
        });
    }

    static ServerStoreProvider storeNamed(String name) {
        return store(name, (config, context) -> {
            throw new AssertionError("store " + name + " created");
        });
    }
}
