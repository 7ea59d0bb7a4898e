package io.pocketsync.server.engine.assembly;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.FatalErrorHandler;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.auth.AuthenticatorProvider;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.ConflictResolverProvider;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.api.store.ServerStoreProvider;
import io.pocketsync.api.transport.ServerTransport;
import io.pocketsync.api.transport.ServerTransportProvider;
import io.pocketsync.core.config.DefaultPluginContext;
import io.pocketsync.core.config.Settings;
import io.pocketsync.server.engine.ServerListener;
import io.pocketsync.server.engine.ServerOptions;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.server.engine.TableResolvers;
import io.pocketsync.server.engine.auth.CompositeAuthenticator;
import java.net.URL;
import java.security.CodeSource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a server from configuration ({@link ServerConfig}): the one assembly behind the {@code pocketsync
 * server} command, the Guice {@code ServerEngineModule} and servers embedded in apps. Each part is chosen by
 * the name its selection key gives and created by its provider with the keys of its namespace; what was
 * chosen, and the jar it came from, is logged.
 *
 * <p>{@link #start} builds and starts everything; the part methods ({@link #openStore}, {@link #authenticator},
 * {@link #resolvers}, {@link #engine}, {@link #serve}) let an injector build the same parts one binding at a
 * time. The engine, store and transports it creates are the caller's (or the {@link PocketSyncServer}'s) to close.
 *
 * <p>Immutable and thread-safe; each part method creates a new part.
 */
public final class ServerAssembly {
    private static final Logger LOG = LoggerFactory.getLogger(ServerAssembly.class);

    private final ServerConfig config;
    private final ServerPlugins plugins;
    private final Clock clock;
    private final FatalErrorHandler fatalErrors;
    private final PluginContext context;

    private ServerAssembly(ServerConfig config, ServerPlugins plugins, Clock clock, FatalErrorHandler fatalErrors) {
        this.config = config;
        this.plugins = plugins;
        this.clock = clock;
        this.fatalErrors = fatalErrors;
        this.context = new DefaultPluginContext(config.options().nodeId(), clock, plugins.codecs(), config.settings(),
                Map.of(FatalErrorHandler.class, fatalErrors));
    }

    /**
     * An assembly over the plugins on the classpath and the system clock.
     *
     * @param settings the effective server settings
     * @return the assembly; nothing is opened yet
     * @throws PocketSyncException as {@link ServerConfig#from} does
     */
    public static ServerAssembly of(Settings settings) {
        return of(settings, ServerPlugins.discovered(), Clock.systemUTC());
    }

    /**
     * An assembly over given plugins and clock.
     *
     * @param settings the effective server settings
     * @param plugins the providers to choose from by name
     * @param clock the clock of the engine and the providers; not null
     * @return the assembly; nothing is opened yet
     * @throws PocketSyncException as {@link ServerConfig#from} does
     */
    public static ServerAssembly of(Settings settings, ServerPlugins plugins, Clock clock) {
        requireNonNull(clock, "clock is null");
        return new ServerAssembly(ServerConfig.from(settings, plugins), plugins, clock, FatalErrorHandler.NONE);
    }

    /**
     * This assembly, with parts that tell {@code handler} when they stop serving for good (a transport whose
     * listener died, an {@link OutOfMemoryError}): the {@link PluginContext#fatalErrors()} of every provider.
     * Without it such a part only logs and reports itself down in {@link PocketSyncServer#readiness()}.
     *
     * @param handler what to do then; the {@code pocketsync server} command exits so a supervisor restarts it
     * @return a new assembly over the same configuration, plugins and clock
     */
    public ServerAssembly withFatalErrorHandler(FatalErrorHandler handler) {
        return new ServerAssembly(config, plugins, clock, requireNonNull(handler, "handler is null"));
    }

    /**
     * Where parts report fatal errors.
     *
     * @return the handler given to {@link #withFatalErrorHandler}, else {@link FatalErrorHandler#NONE}
     */
    public FatalErrorHandler fatalErrors() {
        return fatalErrors;
    }

    /**
     * The configuration.
     *
     * @return the validated configuration the assembly builds from
     */
    public ServerConfig config() {
        return config;
    }

    /**
     * The engine options.
     *
     * @return the engine options of {@code server.*}
     */
    public ServerOptions options() {
        return config.options();
    }

    /**
     * The context every provider is created with: node id, clock, codecs and their {@code codec.<name>} keys.
     *
     * @return the shared context; the same instance on every call
     */
    public PluginContext context() {
        return context;
    }

    /**
     * Assembles and starts a server: creates the transports (so their keys are checked before anything opens),
     * opens the store, builds the authenticator, resolvers and engine, starts the engine and then the
     * transports. A failure closes what was already created.
     *
     * @param listener the engine's metrics events; {@link ServerListener#NONE} for none
     * @return the running server, which the caller closes
     * @throws PocketSyncException {@code CONFIG_INVALID}, {@code PROVIDER_NOT_FOUND} for bad settings;
     *         {@code STORE_UNAVAILABLE} or {@code TRANSPORT_CLOSED} when the store or a transport cannot start
     */
    public PocketSyncServer start(ServerListener listener) {
        requireNonNull(listener, "listener is null");
        Map<String, ServerTransport> transports = createTransports();
        ServerStore store = null;
        try {
            store = openStore();
            SyncServer engine = engine(store, authenticator(), resolvers(), listener);
            return serve(engine, store, transports);
        }
        catch (RuntimeException | Error e) {
            List<AutoCloseable> created = new ArrayList<>(transports.values());
            if (store != null) {
                created.add(store);
            }
            PocketSyncServer.closeAll(created);
            throw e;
        }
    }

    /**
     * Opens the store of {@code server.store} with its {@code store.<name>.*} keys.
     *
     * @return the new store, which the caller closes
     * @throws PocketSyncException {@code STORE_UNAVAILABLE} when the store cannot be reached, {@code CONFIG_INVALID} for a bad key
     */
    public ServerStore openStore() {
        ServerStoreProvider provider = plugins.stores().get(config.store());
        ServerStore store = provider.create(config.namespace("store." + config.store()), context);
        LOG.info("Store: {} ({})", config.store(), origin(provider));
        return store;
    }

    /**
     * The authenticators of {@code server.auth}, tried in order; {@code anonymous} when none is named and
     * {@code server.allow-anonymous} is true.
     *
     * @return one authenticator, or a composite one trying several in order
     * @throws PocketSyncException {@code CONFIG_INVALID} when none is named and anonymous access is not allowed
     */
    public Authenticator authenticator() {
        List<String> names = config.auth();
        if (names.isEmpty()) {
            if (!config.allowAnonymous()) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "authentication is on and '" + ServerConfig.AUTH
                        + "' names no authenticator: name one (static-token with 'auth.static-token.tokens', hmac with"
                        + " 'auth.hmac.secret-file') or set '" + ServerConfig.ALLOW_ANONYMOUS + "=true' to accept every device");
            }
            LOG.warn("Authentication is OFF ({}): any device may read and write any scope", ServerConfig.ALLOW_ANONYMOUS);
            names = List.of(ServerConfig.ANONYMOUS);
        }
        List<Authenticator> authenticators = new ArrayList<>();
        for (String name : names) {
            AuthenticatorProvider provider = plugins.authenticators().get(name);
            authenticators.add(provider.create(config.namespace("auth." + name), context));
            LOG.info("Authenticator: {} ({})", name, origin(provider));
        }
        return authenticators.size() == 1 ? authenticators.get(0) : new CompositeAuthenticator(authenticators);
    }

    /**
     * The resolver of {@code resolver.default} and those of {@code resolver.table.<table>}; each name created once.
     *
     * @return the default resolver and the per-table overrides
     */
    public TableResolvers resolvers() {
        Map<String, ConflictResolver> created = new HashMap<>();
        Function<String, ConflictResolver> create = name -> created.computeIfAbsent(name, n -> {
            ConflictResolverProvider provider = plugins.resolvers().get(n);
            LOG.info("Resolver: {} ({})", n, origin(provider));
            return provider.create(config.namespace("resolver." + n), context);
        });
        ConflictResolver defaultResolver = create.apply(config.defaultResolver());
        Map<String, ConflictResolver> perTable = new HashMap<>();
        config.tableResolvers().forEach((table, name) -> perTable.put(table, create.apply(name)));
        return TableResolvers.of(defaultResolver, perTable);
    }

    /**
     * The engine over the given parts, with this configuration's options and clock; not started.
     *
     * @param store the open store the engine writes to
     * @param authenticator checks every HELLO
     * @param resolvers decide conflicts, per table
     * @param listener the engine's metrics events; {@link ServerListener#NONE} for none
     * @return a new engine; the caller starts it
     */
    public SyncServer engine(ServerStore store, Authenticator authenticator, TableResolvers resolvers,
            ServerListener listener) {
        return new SyncServer(store, authenticator, resolvers, config.options(), listener, clock);
    }

    /**
     * Starts {@code engine} and serves it on the transports of {@code server.transports}. The returned server
     * owns the engine, the store and the transports.
     *
     * @param engine the engine to start; not started yet
     * @param store the engine's store; owned by the returned server
     * @return the running server
     * @throws PocketSyncException {@code PROVIDER_NOT_FOUND} for an unknown transport, {@code TRANSPORT_CLOSED}
     *         when one cannot start (the transports already started are closed; engine and store are not)
     */
    public PocketSyncServer serve(SyncServer engine, ServerStore store) {
        return serve(engine, store, createTransports());
    }

    private PocketSyncServer serve(SyncServer engine, ServerStore store, Map<String, ServerTransport> transports) {
        requireNonNull(engine, "engine is null");
        requireNonNull(store, "store is null");
        try {
            engine.start();
            for (Map.Entry<String, ServerTransport> entry : transports.entrySet()) {
                entry.getValue().start(engine::accept);
                LOG.info("Transport: {} serving {}", entry.getKey(), entry.getValue().address().map(Object::toString)
                        .orElse("devices"));
            }
        }
        catch (RuntimeException | Error e) {
            List<AutoCloseable> started = new ArrayList<>(List.of(engine));
            started.addAll(transports.values());
            PocketSyncServer.closeAll(started);
            throw e;
        }
        return new PocketSyncServer(engine, store, transports);
    }

    /** The transports of {@code server.transports}, created in order with their keys, not started. */
    private Map<String, ServerTransport> createTransports() {
        Map<String, ServerTransport> transports = new LinkedHashMap<>();
        try {
            for (String name : config.transports()) {
                ServerTransportProvider provider = plugins.transports().get(name);
                transports.put(name, provider.create(config.namespace("transport." + name), context));
                LOG.info("Transport: {} ({})", name, origin(provider));
            }
        }
        catch (RuntimeException | Error e) {
            PocketSyncServer.closeAll(new ArrayList<>(transports.values()));
            throw e;
        }
        return transports;
    }

    /** A provider's class and the jar or directory it was loaded from. */
    static String origin(Object provider) {
        CodeSource source = provider.getClass().getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        return provider.getClass().getName() + " from " + (location == null ? "unknown location" : location);
    }
}
