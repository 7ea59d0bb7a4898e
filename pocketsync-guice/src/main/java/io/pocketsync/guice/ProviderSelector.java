package io.pocketsync.guice;

import io.pocketsync.core.discovery.ProviderRegistry;
import java.util.Map;

/**
 * Picks the configured provider from a Guice-bound {@code Map<String, XProvider>}, failing like
 * discovery does: {@code PROVIDER_NOT_FOUND} with the names available. (Guice itself refuses two
 * bindings under one name when the injector is created.)
 */
public final class ProviderSelector {
    private ProviderSelector() {}

    /** The provider bound under {@code name}. */
    public static <P> P select(Class<P> type, Map<String, ? extends P> providers, String name) {
        P provider = name == null ? null : providers.get(name);
        if (provider == null) {
            throw ProviderRegistry.notFound(type, name, providers.keySet());
        }
        return provider;
    }

    /** The bound providers as a registry (e.g. for {@link io.pocketsync.core.config.DefaultPluginContext}). */
    public static <P> ProviderRegistry<P> registry(Class<P> type, Map<String, ? extends P> providers) {
        Map<P, String> names = new java.util.IdentityHashMap<>();
        providers.forEach((name, provider) -> names.put(provider, name));
        return ProviderRegistry.of(type, names::get, providers.values());
    }
}
