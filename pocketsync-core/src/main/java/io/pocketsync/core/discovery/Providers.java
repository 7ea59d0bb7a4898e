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

    public static ProviderRegistry<CodecProvider> codecs() {
        return cached(CodecProvider.class, CodecProvider::name);
    }

    public static ProviderRegistry<ConflictResolverProvider> conflictResolvers() {
        return cached(ConflictResolverProvider.class, ConflictResolverProvider::name);
    }

    public static ProviderRegistry<ServerStoreProvider> serverStores() {
        return cached(ServerStoreProvider.class, ServerStoreProvider::name);
    }

    public static ProviderRegistry<ClientTransportProvider> clientTransports() {
        return cached(ClientTransportProvider.class, ClientTransportProvider::name);
    }

    public static ProviderRegistry<ServerTransportProvider> serverTransports() {
        return cached(ServerTransportProvider.class, ServerTransportProvider::name);
    }

    public static ProviderRegistry<AuthenticatorProvider> authenticators() {
        return cached(AuthenticatorProvider.class, AuthenticatorProvider::name);
    }

    public static ProviderRegistry<ChangeCaptureProvider> changeCaptures() {
        return cached(ChangeCaptureProvider.class, ChangeCaptureProvider::name);
    }

    @SuppressWarnings("unchecked")
    private static <P> ProviderRegistry<P> cached(Class<P> type, java.util.function.Function<P, String> name) {
        return (ProviderRegistry<P>) LOADED.computeIfAbsent(type, t -> ProviderRegistry.load(type, name));
    }
}
