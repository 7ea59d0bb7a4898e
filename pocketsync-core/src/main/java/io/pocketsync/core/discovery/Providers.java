package io.pocketsync.core.discovery;

import io.pocketsync.api.auth.AuthenticatorProvider;
import io.pocketsync.api.capture.ChangeCaptureProvider;
import io.pocketsync.api.codec.CodecProvider;
import io.pocketsync.api.conflict.ConflictResolverProvider;
import io.pocketsync.api.store.ServerStoreProvider;
import io.pocketsync.api.transport.ClientTransportProvider;
import io.pocketsync.api.transport.ServerTransportProvider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * ServiceLoader discovery of every PocketSync SPI. Each SPI is discovered (and logged) once per class
 * loader of this class; later calls return the same registry. Thread-safe.
 */
public final class Providers {
    private static final Map<Class<?>, ProviderRegistry<?>> LOADED = new ConcurrentHashMap<>();

    private Providers() {}

    /**
     * The {@link CodecProvider}s on the classpath.
     *
     * @return the registry, loaded on first use
     */
    public static ProviderRegistry<CodecProvider> codecs() {
        return cached(CodecProvider.class, CodecProvider::name);
    }

    /**
     * The {@link ConflictResolverProvider}s on the classpath.
     *
     * @return the registry, loaded on first use
     */
    public static ProviderRegistry<ConflictResolverProvider> conflictResolvers() {
        return cached(ConflictResolverProvider.class, ConflictResolverProvider::name);
    }

    /**
     * The {@link ServerStoreProvider}s on the classpath.
     *
     * @return the registry, loaded on first use
     */
    public static ProviderRegistry<ServerStoreProvider> serverStores() {
        return cached(ServerStoreProvider.class, ServerStoreProvider::name);
    }

    /**
     * The {@link ClientTransportProvider}s on the classpath.
     *
     * @return the registry, loaded on first use
     */
    public static ProviderRegistry<ClientTransportProvider> clientTransports() {
        return cached(ClientTransportProvider.class, ClientTransportProvider::name);
    }

    /**
     * The {@link ServerTransportProvider}s on the classpath.
     *
     * @return the registry, loaded on first use
     */
    public static ProviderRegistry<ServerTransportProvider> serverTransports() {
        return cached(ServerTransportProvider.class, ServerTransportProvider::name);
    }

    /**
     * The {@link AuthenticatorProvider}s on the classpath.
     *
     * @return the registry, loaded on first use
     */
    public static ProviderRegistry<AuthenticatorProvider> authenticators() {
        return cached(AuthenticatorProvider.class, AuthenticatorProvider::name);
    }

    /**
     * The {@link ChangeCaptureProvider}s on the classpath.
     *
     * @return the registry, loaded on first use
     */
    public static ProviderRegistry<ChangeCaptureProvider> changeCaptures() {
        return cached(ChangeCaptureProvider.class, ChangeCaptureProvider::name);
    }

    @SuppressWarnings("unchecked")
    private static <P> ProviderRegistry<P> cached(Class<P> type, java.util.function.Function<P, String> name) {
        return (ProviderRegistry<P>) LOADED.computeIfAbsent(type, t -> ProviderRegistry.load(type, name));
    }
}
