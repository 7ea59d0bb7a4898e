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

    /**
     * The provider bound under {@code name}.
     *
     * @param <P> the provider type
     * @param type the provider type, for the error message
     * @param providers the bound providers by name
     * @param name the configured name; may be null
     * @return the provider
     * @throws io.pocketsync.api.PocketSyncException with {@code PROVIDER_NOT_FOUND}, listing the bound names
     */
    public static <P> P select(Class<P> type, Map<String, ? extends P> providers, String name) {
        P provider = name == null ? null : providers.get(name);
        if (provider == null) {
            throw ProviderRegistry.notFound(type, name, providers.keySet());
        }
        return provider;
    }

    /**
     * The bound providers as a registry (e.g. for {@link io.pocketsync.core.config.DefaultPluginContext}).
     *
     * @param <P> the provider type
     * @param type the provider type
     * @param providers the bound providers by name
     * @return a registry that finds them by the names they are bound under
     */
    public static <P> ProviderRegistry<P> registry(Class<P> type, Map<String, ? extends P> providers) {
        Map<P, String> names = new java.util.IdentityHashMap<>();
        providers.forEach((name, provider) -> names.put(provider, name));
        return ProviderRegistry.of(type, names::get, providers.values());
    }
}
