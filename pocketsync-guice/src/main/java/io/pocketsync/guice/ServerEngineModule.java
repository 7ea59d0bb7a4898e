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
import io.pocketsync.core.config.DefaultPluginContext;
import io.pocketsync.core.config.Settings;
import io.pocketsync.server.engine.conflict.LastWriteWinsResolver;
import io.pocketsync.server.engine.ServerListener;
import io.pocketsync.server.engine.ServerOptions;
import io.pocketsync.server.engine.ServerOptionsConfig;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.server.engine.TableResolvers;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * Binds the server engine: {@link SyncServer} with its store, authenticator, per-table resolvers and
 * {@link ServerOptions}, all chosen from {@link Settings}. Every provider on the classpath (stores, transports,
 * codecs, resolvers, authenticators) is bound by {@link DiscoveredPluginsModule}; add others with
 * {@link PluginBinder} in a module of your own.
 *
 * <p>Keys: {@code server.store} (required), {@code server.auth} (required; {@code anonymous} only when named),
 * {@code resolver.default} (default {@code last-write-wins}), {@code resolver.table.<table>},
 * {@code server.node-id}, {@code server.max-message-bytes}, {@code server.max-batch-changes},
 * {@code server.max-row-bytes}, {@code server.clock-skew}, {@code server.page-rows}, {@code server.page-bytes},
 * {@code server.retention}, {@code server.prune-interval}, {@code server.max-queued-messages},
 * {@code server.worker-threads}. Plugin settings live under {@code store.<name>}, {@code auth.<name>},
 * {@code resolver.<name>}. The server, store and authenticator are singletons; whoever holds the injector
 * starts the server and closes server and store.
 */
public final class ServerEngineModule extends AbstractModule {
    private final Settings settings;

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
    SyncServer server(ServerStore store, Authenticator authenticator, TableResolvers resolvers, ServerOptions options,
            ServerListener listener, Clock clock) {
        // Built here rather than by an @Inject constructor, so that the engine carries no injection annotations.
        return new SyncServer(store, authenticator, resolvers, options, listener, clock);
    }

    @Provides
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Provides
    @Singleton
    ServerOptions serverOptions() {
        return ServerOptionsConfig.from(settings);
    }

    @Provides
    @Singleton
    PluginContext pluginContext(ServerOptions options, Clock clock, Map<String, CodecProvider> codecs) {
        return new DefaultPluginContext(options.nodeId(), clock, ProviderSelector.registry(CodecProvider.class, codecs), settings);
    }

    @Provides
    @Singleton
    ServerStore store(Map<String, ServerStoreProvider> stores, PluginContext context) {
        String name = settings.get("server.store").orElse(null);
        return ProviderSelector.select(ServerStoreProvider.class, stores, name).create(settings.forNamespace("store." + name), context);
    }

    @Provides
    @Singleton
    Authenticator authenticator(Map<String, AuthenticatorProvider> authenticators, PluginContext context) {
        String name = settings.get("server.auth").orElse(null);
        return ProviderSelector.select(AuthenticatorProvider.class, authenticators, name).create(settings.forNamespace("auth." + name), context);
    }

    @Provides
    @Singleton
    TableResolvers resolvers(Map<String, ConflictResolverProvider> resolvers, PluginContext context) {
        String prefix = "resolver.table.";
        Map<String, String> tables = new HashMap<>();
        settings.asMap().forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                tables.put(key.substring(prefix.length()), value);
            }
        });
        Map<String, io.pocketsync.api.conflict.ConflictResolver> created = new HashMap<>();
        java.util.function.Function<String, io.pocketsync.api.conflict.ConflictResolver> create = name -> created.computeIfAbsent(name,
                n -> ProviderSelector.select(ConflictResolverProvider.class, resolvers, n).create(settings.forNamespace("resolver." + n), context));
        Map<String, io.pocketsync.api.conflict.ConflictResolver> perTable = new HashMap<>();
        tables.forEach((table, name) -> perTable.put(table, create.apply(name)));
        return TableResolvers.of(create.apply(settings.get("resolver.default").orElse(LastWriteWinsResolver.NAME)), perTable);
    }
}
