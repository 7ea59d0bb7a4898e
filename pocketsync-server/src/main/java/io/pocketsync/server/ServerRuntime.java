package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.api.store.ServerStoreProvider;
import io.pocketsync.api.transport.ServerTransport;
import io.pocketsync.api.transport.ServerTransportProvider;
import io.pocketsync.core.config.DefaultPluginContext;
import io.pocketsync.core.discovery.Providers;
import io.pocketsync.server.engine.ServerOptions;
import io.pocketsync.server.engine.ServerOptionsConfig;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.server.engine.TableResolvers;
import io.pocketsync.transport.websocket.WebSocketServerTransport;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.security.CodeSource;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running server assembled from {@link ServerSettings}: the store, the authenticator, the
 * resolvers, the {@link SyncServer} engine, its transports (WebSocket, plus MQTT when configured) and
 * the optional metrics endpoint. Providers are found through {@link java.util.ServiceLoader} and
 * chosen by name, so a third-party store or transport jar on the classpath can be selected too.
 *
 * <p>Owns the start and close order: store, engine, transports, metrics endpoint on start; the
 * reverse on close (the engine says SHUTTING_DOWN to every device before the transports go away and
 * the store closes last). A failure while starting closes what was already started.
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class ServerRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerRuntime.class);

    private final Deque<AutoCloseable> started;
    private final SyncServer server;
    private final Map<String, ServerTransport> transports;
    private final MicrometerServerMetrics metrics;
    private final MetricsEndpoint metricsEndpoint;
    private volatile boolean running = true;

    private ServerRuntime(Deque<AutoCloseable> started, SyncServer server, Map<String, ServerTransport> transports,
            MicrometerServerMetrics metrics, MetricsEndpoint metricsEndpoint) {
        this.started = started;
        this.server = server;
        this.transports = transports;
        this.metrics = metrics;
        this.metricsEndpoint = metricsEndpoint;
    }

    /**
     * Builds and starts everything.
     *
     * @throws PocketSyncException {@code CONFIG_INVALID}, {@code PROVIDER_NOT_FOUND} for bad settings;
     *         {@code STORE_UNAVAILABLE} or {@code TRANSPORT_CLOSED} when the store or a port is unavailable
     */
    public static ServerRuntime start(ServerSettings settings) {
        return start(settings, ServerOptionsConfig.from(settings.settings()));
    }

    /** Like {@link #start(ServerSettings)} with the engine's limits and timings given (the demo uses small pages). */
    public static ServerRuntime start(ServerSettings settings, ServerOptions options) {
        requireNonNull(settings, "settings is null");
        requireNonNull(options, "options is null");
        Deque<AutoCloseable> started = new ArrayDeque<>();
        try {
            PluginContext context = new DefaultPluginContext(options.nodeId(), Clock.systemUTC(), Providers.codecs(),
                    settings.settings());
            log.info("PocketSync server {} (node {}) starting with {}", VersionProvider.version(), options.nodeId(), settings);

            ServerStoreProvider storeProvider = Providers.serverStores().get(settings.store());
            ServerStore store = storeProvider.create(settings.namespace("store." + settings.store()), context);
            started.push(store);
            log.info("Store: {} ({}){}", settings.store(), origin(storeProvider), storeDetail(settings));

            Authenticator authenticator = ServerAuthenticators.create(settings, context);
            TableResolvers resolvers = TableResolvers.byName(settings.defaultResolver(), settings.tableResolvers(),
                    name -> settings.namespace("resolver." + name), context);
            log.info("Resolvers: default {}{}", settings.defaultResolver(),
                    settings.tableResolvers().isEmpty() ? "" : ", per table " + settings.tableResolvers());
            Set<String> resolverNames = new LinkedHashSet<>(List.of(settings.defaultResolver()));
            resolverNames.addAll(settings.tableResolvers().values());
            for (String name : resolverNames) {
                log.info("Resolver {}: {}", name, origin(Providers.conflictResolvers().get(name)));
            }

            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            started.push(registry::close);
            MicrometerServerMetrics metrics = new MicrometerServerMetrics(registry);
            SyncServer server = SyncServer.builder().store(store).authenticator(authenticator).resolvers(resolvers)
                    .options(options).listener(metrics).build();
            server.start();
            started.push(server);

            Map<String, ServerTransport> transports = new LinkedHashMap<>();
            List<String> transportNames = new ArrayList<>(List.of("websocket"));
            if (settings.mqttUri().isPresent()) {
                transportNames.add("mqtt");
            }
            for (String name : transportNames) {
                ServerTransportProvider provider = Providers.serverTransports().get(name);
                ServerTransport transport = provider.create(settings.namespace("transport." + name), context);
                started.push(transport);
                transport.start(server::accept);
                transports.put(name, transport);
                log.info("Transport: {} ({}) serving {}", name, origin(provider), describe(name, transport, settings));
            }

            ServerRuntime[] self = new ServerRuntime[1];
            MetricsEndpoint endpoint = null;
            if (settings.metricsPort().isPresent()) {
                endpoint = MetricsEndpoint.start(settings.metricsPort().get(), registry,
                        () -> self[0] != null && self[0].running);
                started.push(endpoint);
            }
            self[0] = new ServerRuntime(started, server, transports, metrics, endpoint);
            log.info("PocketSync server ready; stop with SIGTERM or Ctrl-C");
            return self[0];
        }
        catch (IOException e) {
            closeAll(started);
            throw new PocketSyncException(ErrorCode.TRANSPORT_CLOSED, "cannot start the metrics endpoint: " + e.getMessage(), e);
        }
        catch (RuntimeException | Error e) {
            closeAll(started);
            throw e;
        }
    }

    private static String storeDetail(ServerSettings settings) {
        return switch (settings.store()) {
            case "sqlite" -> " at " + settings.sqlitePath().toAbsolutePath().normalize();
            case "redis" -> " at " + settings.redisUri().map(ServerRuntime::withoutUserInfo).orElse("?")
                    + " with key prefix " + settings.redisPrefix();
            default -> "";
        };
    }

    private static String describe(String name, ServerTransport transport, ServerSettings settings) {
        if (transport instanceof WebSocketServerTransport webSocket) {
            return webSocket.uri().toString();
        }
        if (name.equals("mqtt")) {
            return "devices through broker " + settings.mqttUri().map(ServerRuntime::withoutUserInfo).orElse("?");
        }
        return name;
    }

    private static String withoutUserInfo(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    /** Where a provider class was loaded from (jar or directory). */
    static String origin(Object provider) {
        CodeSource source = provider.getClass().getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        return provider.getClass().getName() + " from " + (location == null ? "unknown location" : location);
    }

    /** The engine. */
    public SyncServer server() {
        return server;
    }

    /** The WebSocket URL devices connect to, e.g. {@code ws://127.0.0.1:8787/sync} (the bound port when 0 was asked). */
    public URI webSocketUri() {
        ServerTransport transport = transports.get("websocket");
        if (transport instanceof WebSocketServerTransport webSocket) {
            return webSocket.uri();
        }
        throw new IllegalStateException("no WebSocket transport");
    }

    /** The meters of this server. */
    public MicrometerServerMetrics metrics() {
        return metrics;
    }

    /** The metrics endpoint, if {@code metrics.port} was set. */
    public Optional<MetricsEndpoint> metricsEndpoint() {
        return Optional.ofNullable(metricsEndpoint);
    }

    @Override
    public void close() {
        synchronized (started) {
            if (!running) {
                return;
            }
            running = false;
            log.info("PocketSync server stopping");
            // The engine first: it tells every device SHUTTING_DOWN while the transports still carry it.
            server.close();
            closeAll(started);
            log.info("PocketSync server stopped");
        }
    }

    private static void closeAll(Deque<AutoCloseable> started) {
        while (!started.isEmpty()) {
            AutoCloseable closeable = started.pop();
            try {
                closeable.close();
            }
            catch (Exception e) {
                log.warn("Closing {} failed: {}", closeable.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
