package io.pocketsync.guice;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.auth.AuthenticatorProvider;
import io.pocketsync.api.codec.CodecProvider;
import io.pocketsync.api.conflict.ConflictResolverProvider;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.api.store.ServerStoreProvider;
import io.pocketsync.api.transport.ServerTransportProvider;
import io.pocketsync.core.config.Settings;
import io.pocketsync.server.engine.ServerListener;
import io.pocketsync.server.engine.ServerOptions;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.server.engine.TableResolvers;
import io.pocketsync.server.engine.assembly.PocketSyncServer;
import io.pocketsync.server.engine.assembly.ServerAssembly;
import io.pocketsync.server.engine.assembly.ServerConfig;
import io.pocketsync.server.engine.assembly.ServerPlugins;
import java.time.Clock;
import java.util.Map;

/**
 * Binds a server as {@link ServerAssembly} builds it from {@link Settings}, in the key set of
 * {@link ServerConfig} ({@code server.store}, {@code server.transports}, {@code server.auth},
 * {@code resolver.default}, {@code resolver.table.<table>}, {@code server.node-id}, ..., and each plugin's
 * {@code store.<name>.*}, {@code transport.<name>.*}, {@code auth.<name>.*}, {@code resolver.<name>.*}): the
 * same keys the {@code pocketsync server} command reads, with the same defaults and the same errors.
 *
 * <p>The providers are the ones bound in Guice: every provider on the classpath through
 * {@link DiscoveredPluginsModule} (installed here), plus any a module of your own binds with {@link PluginBinder}.
 *
 * <p>Bindings, all singletons: {@link ServerAssembly}, {@link ServerOptions}, {@link PluginContext},
 * {@link ServerStore}, {@link Authenticator}, {@link TableResolvers} and the engine {@link SyncServer} (not
 * started: whoever holds the injector starts it and closes engine and store), and {@link PocketSyncServer},
 * which starts the engine and serves it on the configured transports when first asked for and then owns
 * engine, store and transports (close it instead). Override {@link ServerListener} (bound to
 * {@link ServerListener#NONE}) or {@link Clock} with {@code Modules.override} for metrics or tests.
 */
public final class ServerEngineModule extends AbstractModule {
    private final Settings settings;

    /**
     * The engine module over {@code settings}.
     *
     * @param settings every configuration key (see above); not null
     */
    public ServerEngineModule(Settings settings) {
        this.settings = requireNonNull(settings, "settings is null");
    }

    @Override
    protected void configure() {
        install(new DiscoveredPluginsModule());
        bind(Settings.class).toInstance(settings);
        bind(ServerListener.class).toInstance(ServerListener.NONE);
    }

    @Provides
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Provides
    @Singleton
    ServerAssembly assembly(Map<String, ServerStoreProvider> stores, Map<String, ServerTransportProvider> transports,
            Map<String, AuthenticatorProvider> authenticators, Map<String, ConflictResolverProvider> resolvers,
            Map<String, CodecProvider> codecs, Clock clock) {
        ServerPlugins plugins = new ServerPlugins(
                ProviderSelector.registry(ServerStoreProvider.class, stores),
                ProviderSelector.registry(ServerTransportProvider.class, transports),
                ProviderSelector.registry(AuthenticatorProvider.class, authenticators),
                ProviderSelector.registry(ConflictResolverProvider.class, resolvers),
                ProviderSelector.registry(CodecProvider.class, codecs));
        return ServerAssembly.of(settings, plugins, clock);
    }

    @Provides
    @Singleton
    ServerOptions serverOptions(ServerAssembly assembly) {
        return assembly.options();
    }

    @Provides
    @Singleton
    PluginContext pluginContext(ServerAssembly assembly) {
        return assembly.context();
    }

    @Provides
    @Singleton
    ServerStore store(ServerAssembly assembly) {
        return assembly.openStore();
    }

    @Provides
    @Singleton
    Authenticator authenticator(ServerAssembly assembly) {
        return assembly.authenticator();
    }

    @Provides
    @Singleton
    TableResolvers resolvers(ServerAssembly assembly) {
        return assembly.resolvers();
    }

    @Provides
    @Singleton
    SyncServer server(ServerAssembly assembly, ServerStore store, Authenticator authenticator, TableResolvers resolvers,
            ServerListener listener) {
        // Built by the assembly rather than by an @Inject constructor, so that the engine carries no injection annotations.
        return assembly.engine(store, authenticator, resolvers, listener);
    }

    @Provides
    @Singleton
    PocketSyncServer serving(ServerAssembly assembly, SyncServer server, ServerStore store) {
        return assembly.serve(server, store);
    }
}
