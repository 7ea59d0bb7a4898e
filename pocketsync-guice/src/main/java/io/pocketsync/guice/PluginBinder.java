package io.pocketsync.guice;

import static java.util.Objects.requireNonNull;

import com.google.inject.Binder;
import com.google.inject.multibindings.MapBinder;
import io.pocketsync.api.auth.AuthenticatorProvider;
import io.pocketsync.api.capture.ChangeCaptureProvider;
import io.pocketsync.api.codec.CodecProvider;
import io.pocketsync.api.conflict.ConflictResolverProvider;
import io.pocketsync.api.store.ServerStoreProvider;
import io.pocketsync.api.transport.ClientTransportProvider;
import io.pocketsync.api.transport.ServerTransportProvider;

/**
 * A typed helper over Guice {@link MapBinder}s: each plugin module binds its provider by name, and the
 * engine module injects {@code Map<String, XProvider>} and picks the configured one with
 * {@link ProviderSelector}. Binding two providers under one name fails injector creation.
 *
 * <pre>{@code
 * protected void configure() {
 *     PluginBinder.of(binder()).bindServerStore("sqlite", SqliteServerStoreProvider.class);
 * }
 * }</pre>
 */
public final class PluginBinder {
    private final Binder binder;

    private PluginBinder(Binder binder) {
        this.binder = binder;
    }

    /**
     * A binder for the provider maps of {@code binder}'s injector.
     *
     * @param binder the module's binder, from {@code binder()}
     * @return the helper; binding errors name the calling module, not this class
     */
    public static PluginBinder of(Binder binder) {
        return new PluginBinder(requireNonNull(binder, "binder is null").skipSources(PluginBinder.class));
    }

    /**
     * Declares every provider map, so that an engine can inject an empty map when no plugin bound one.
     *
     * @return this
     */
    public PluginBinder declareAll() {
        codecs();
        conflictResolvers();
        serverStores();
        clientTransports();
        serverTransports();
        authenticators();
        changeCaptures();
        return this;
    }

    /**
     * Binds a {@link CodecProvider} under {@code name}.
     *
     * @param name the name configuration selects it by
     * @param provider the provider class; Guice constructs it
     * @return this
     */
    public PluginBinder bindCodec(String name, Class<? extends CodecProvider> provider) {
        codecs().addBinding(name).to(provider);
        return this;
    }

    /**
     * Binds a {@link ConflictResolverProvider} under {@code name}.
     *
     * @param name the name configuration selects it by
     * @param provider the provider class; Guice constructs it
     * @return this
     */
    public PluginBinder bindConflictResolver(String name, Class<? extends ConflictResolverProvider> provider) {
        conflictResolvers().addBinding(name).to(provider);
        return this;
    }

    /**
     * Binds a {@link ServerStoreProvider} under {@code name}.
     *
     * @param name the name configuration selects it by
     * @param provider the provider class; Guice constructs it
     * @return this
     */
    public PluginBinder bindServerStore(String name, Class<? extends ServerStoreProvider> provider) {
        serverStores().addBinding(name).to(provider);
        return this;
    }

    /**
     * Binds a {@link ClientTransportProvider} under {@code name}.
     *
     * @param name the name configuration selects it by
     * @param provider the provider class; Guice constructs it
     * @return this
     */
    public PluginBinder bindClientTransport(String name, Class<? extends ClientTransportProvider> provider) {
        clientTransports().addBinding(name).to(provider);
        return this;
    }

    /**
     * Binds a {@link ServerTransportProvider} under {@code name}.
     *
     * @param name the name configuration selects it by
     * @param provider the provider class; Guice constructs it
     * @return this
     */
    public PluginBinder bindServerTransport(String name, Class<? extends ServerTransportProvider> provider) {
        serverTransports().addBinding(name).to(provider);
        return this;
    }

    /**
     * Binds a {@link AuthenticatorProvider} under {@code name}.
     *
     * @param name the name configuration selects it by
     * @param provider the provider class; Guice constructs it
     * @return this
     */
    public PluginBinder bindAuthenticator(String name, Class<? extends AuthenticatorProvider> provider) {
        authenticators().addBinding(name).to(provider);
        return this;
    }

    /**
     * Binds a {@link ChangeCaptureProvider} under {@code name}.
     *
     * @param name the name configuration selects it by
     * @param provider the provider class; Guice constructs it
     * @return this
     */
    public PluginBinder bindChangeCapture(String name, Class<? extends ChangeCaptureProvider> provider) {
        changeCaptures().addBinding(name).to(provider);
        return this;
    }

    private MapBinder<String, CodecProvider> codecs() {
        return MapBinder.newMapBinder(binder, String.class, CodecProvider.class);
    }

    private MapBinder<String, ConflictResolverProvider> conflictResolvers() {
        return MapBinder.newMapBinder(binder, String.class, ConflictResolverProvider.class);
    }

    private MapBinder<String, ServerStoreProvider> serverStores() {
        return MapBinder.newMapBinder(binder, String.class, ServerStoreProvider.class);
    }

    private MapBinder<String, ClientTransportProvider> clientTransports() {
        return MapBinder.newMapBinder(binder, String.class, ClientTransportProvider.class);
    }

    private MapBinder<String, ServerTransportProvider> serverTransports() {
        return MapBinder.newMapBinder(binder, String.class, ServerTransportProvider.class);
    }

    private MapBinder<String, AuthenticatorProvider> authenticators() {
        return MapBinder.newMapBinder(binder, String.class, AuthenticatorProvider.class);
    }

    private MapBinder<String, ChangeCaptureProvider> changeCaptures() {
        return MapBinder.newMapBinder(binder, String.class, ChangeCaptureProvider.class);
    }
}
