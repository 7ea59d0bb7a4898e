package io.pocketsync.guice;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import io.pocketsync.core.discovery.ProviderRegistry;
import io.pocketsync.core.discovery.Providers;

/**
 * Binds every plugin provider that {@link java.util.ServiceLoader} finds on the classpath into the
 * engine's provider maps, each under its own {@code name()}: stores, transports, codecs, resolvers,
 * authenticators and change captures. A plugin jar therefore needs no Guice module of its own; its
 * {@code META-INF/services} entry is enough, with or without Guice.
 *
 * <p>To bind a provider that is not on the ServiceLoader path (a test double, a provider built by hand),
 * use {@link PluginBinder} in a module of your own. Binding a name that discovery also found fails at
 * injector creation, as two bindings under one name always do.
 */
public final class DiscoveredPluginsModule extends AbstractModule {
    @Override
    protected void configure() {
        PluginBinder.of(binder()).declareAll();
        bindAll(Providers.codecs());
        bindAll(Providers.conflictResolvers());
        bindAll(Providers.serverStores());
        bindAll(Providers.clientTransports());
        bindAll(Providers.serverTransports());
        bindAll(Providers.authenticators());
        bindAll(Providers.changeCaptures());
    }

    private <P> void bindAll(ProviderRegistry<P> registry) {
        MapBinder<String, P> map = MapBinder.newMapBinder(binder(), String.class, registry.type());
        for (String name : registry.names()) {
            map.addBinding(name).toInstance(registry.get(name));
        }
    }
}
