package io.pocketsync.server.engine.assembly;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.auth.AuthenticatorProvider;
import io.pocketsync.api.codec.CodecProvider;
import io.pocketsync.api.conflict.ConflictResolverProvider;
import io.pocketsync.api.store.ServerStoreProvider;
import io.pocketsync.api.transport.ServerTransportProvider;
import io.pocketsync.core.discovery.ProviderRegistry;
import io.pocketsync.core.discovery.Providers;

/**
 * The providers a {@link ServerAssembly} chooses from by the names the configuration gives. Usually
 * {@link #discovered()} (everything {@link java.util.ServiceLoader} finds); the Guice module passes its
 * bound maps instead, and a test or an embedding app may swap one kind for providers of its own
 * ({@link #withStores}, {@link #withTransports}). Being listed here activates nothing: only a name in the
 * configuration does.
 *
 * @param stores server stores ({@code server.store})
 * @param transports server transports ({@code server.transports})
 * @param authenticators authenticators ({@code server.auth})
 * @param resolvers conflict resolvers ({@code resolver.default}, {@code resolver.table.<table>})
 * @param codecs codecs, which transports look up through the plugin context
 */
public record ServerPlugins(ProviderRegistry<ServerStoreProvider> stores,
        ProviderRegistry<ServerTransportProvider> transports, ProviderRegistry<AuthenticatorProvider> authenticators,
        ProviderRegistry<ConflictResolverProvider> resolvers, ProviderRegistry<CodecProvider> codecs) {
    /**
     * Plugins from the given registries.
     *
     * @param stores the store providers, by name
     * @param transports the transport providers, by name
     * @param authenticators the authenticator providers, by name
     * @param resolvers the conflict resolver providers, by name
     * @param codecs the codec providers, by name
     * @throws NullPointerException when a registry is null
     */
    public ServerPlugins {
        requireNonNull(stores, "stores is null");
        requireNonNull(transports, "transports is null");
        requireNonNull(authenticators, "authenticators is null");
        requireNonNull(resolvers, "resolvers is null");
        requireNonNull(codecs, "codecs is null");
    }

    /**
     * Every provider on the classpath, discovered once per class loader (see {@link Providers}).
     *
     * @return the providers found through {@link java.util.ServiceLoader}
     */
    public static ServerPlugins discovered() {
        return new ServerPlugins(Providers.serverStores(), Providers.serverTransports(), Providers.authenticators(),
                Providers.conflictResolvers(), Providers.codecs());
    }

    /**
     * These plugins with other stores.
     *
     * @param value the store providers to use instead
     * @return a copy; this instance is unchanged
     */
    public ServerPlugins withStores(ProviderRegistry<ServerStoreProvider> value) {
        return new ServerPlugins(value, transports, authenticators, resolvers, codecs);
    }

    /**
     * These plugins with other transports.
     *
     * @param value the transport providers to use instead
     * @return a copy; this instance is unchanged
     */
    public ServerPlugins withTransports(ProviderRegistry<ServerTransportProvider> value) {
        return new ServerPlugins(stores, value, authenticators, resolvers, codecs);
    }
}
