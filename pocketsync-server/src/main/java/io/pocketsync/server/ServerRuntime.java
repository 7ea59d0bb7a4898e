package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.pocketsync.admin.AdminOptions;
import io.pocketsync.admin.AdminServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.FatalErrorHandler;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.server.engine.assembly.PocketSyncServer;
import io.pocketsync.server.engine.assembly.ServerAssembly;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code pocketsync server} command's running server: a {@link PocketSyncServer} assembled from the
 * {@link ServerSettings} by {@link ServerAssembly} (the same assembly an embedded or Guice-built server uses),
 * reporting to Micrometer meters, plus the optional metrics endpoint and admin API ({@code pocketsync-admin}).
 *
 * <p>Owns the close order: the admin API stops, the metrics endpoint reports not ready, then the server closes (engine, which
 * says SHUTTING_DOWN to every device, transports, store), then the endpoint and the meters. A failure while
 * starting closes what was already started.
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class ServerRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerRuntime.class);

    private final PocketSyncServer server;
    private final PrometheusMeterRegistry registry;
    private final MicrometerServerMetrics metrics;
    private final AtomicBoolean running;
    private final MetricsEndpoint metricsEndpoint;
    private final JvmProcessMetrics processMetrics;
    private final AdminServer adminServer;

    private ServerRuntime(PocketSyncServer server, PrometheusMeterRegistry registry, MicrometerServerMetrics metrics,
            AtomicBoolean running, MetricsEndpoint metricsEndpoint, JvmProcessMetrics processMetrics, AdminServer adminServer) {
        this.server = server;
        this.processMetrics = processMetrics;
        this.registry = registry;
        this.metrics = metrics;
        this.running = running;
        this.metricsEndpoint = metricsEndpoint;
        this.adminServer = adminServer;
    }

    /**
     * Builds and starts everything.
     *
     * @param settings the validated command settings; not null
     * @return the running server, which the caller closes
     * @throws PocketSyncException {@code CONFIG_INVALID}, {@code PROVIDER_NOT_FOUND} for bad settings;
     *         {@code STORE_UNAVAILABLE} or {@code TRANSPORT_CLOSED} when the store or a port is unavailable
     */
    public static ServerRuntime start(ServerSettings settings) {
        return start(settings, FatalErrorHandler.NONE, System::getenv);
    }

    /**
     * Builds and starts everything, with parts that tell {@code fatalErrors} when they stop serving for good (a
     * transport whose listener died, an {@link OutOfMemoryError}).
     *
     * @param settings the validated command settings; not null
     * @param fatalErrors told of such a failure; the command stops the process
     * @return the running server, which the caller closes
     * @throws PocketSyncException as {@link #start(ServerSettings)}
     */
    public static ServerRuntime start(ServerSettings settings, FatalErrorHandler fatalErrors) {
        return start(settings, fatalErrors, System::getenv);
    }

    /**
     * Builds and starts everything, reading the admin token from {@code environment} when no token file is configured.
     *
     * @param settings the validated command settings; not null
     * @param environment the process environment, e.g. {@code System::getenv}
     * @return the running server, which the caller closes
     * @throws PocketSyncException as {@link #start(ServerSettings)}
     */
    public static ServerRuntime start(ServerSettings settings, Function<String, String> environment) {
        return start(settings, FatalErrorHandler.NONE, environment);
    }

    /**
     * Builds and starts everything.
     *
     * @param settings the validated command settings; not null
     * @param fatalErrors told when a part stops serving for good; the command stops the process
     * @param environment the process environment, e.g. {@code System::getenv}, for the admin token
     * @return the running server, which the caller closes
     * @throws PocketSyncException as {@link #start(ServerSettings)}
     */
    public static ServerRuntime start(ServerSettings settings, FatalErrorHandler fatalErrors, Function<String, String> environment) {
        requireNonNull(settings, "settings is null");
        requireNonNull(fatalErrors, "fatalErrors is null");
        // checked before anything starts: a missing admin token must not leave a half-started server
        Optional<AdminOptions> adminOptions = AdminSettings.options(settings, environment);
        if (settings.authenticators().isEmpty() && !settings.allowAnonymous()) {
            // The assembly refuses too, naming keys; on the command line the flags are what people type.
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "authentication is on and no credentials are"
                    + " configured: give --jwks-url URL, --jwks-file FILE or --jwt-secret-file FILE (with --jwt-audience AUD),"
                    + " --token-file FILE (SCOPE:TOKEN lines), POCKETSYNC_TOKENS, --hmac-secret-file FILE"
                    + " or POCKETSYNC_HMAC_SECRET (or --allow-anonymous to accept every device)");
        }
        ServerAssembly assembly = ServerAssembly.of(settings.serverSettings()).withFatalErrorHandler(fatalErrors);
        log.info("PocketSync server {} (node {}) starting with {}", VersionProvider.version(), assembly.options().nodeId(),
                settings);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerServerMetrics metrics = new MicrometerServerMetrics(registry);
        JvmProcessMetrics processMetrics = new JvmProcessMetrics(registry);
        PocketSyncServer server;
        try {
            server = assembly.start(metrics);
        }
        catch (RuntimeException | Error e) {
            processMetrics.close();
            registry.close();
            throw e;
        }
        AtomicBoolean running = new AtomicBoolean(true);
        MetricsEndpoint endpoint = null;
        if (settings.metricsPort().isPresent()) {
            try {
                endpoint = MetricsEndpoint.start(InetAddress.getByName(settings.metricsBind()), settings.metricsPort().get(),
                        registry, running::get, server::readiness);
            }
            catch (IOException | RuntimeException e) {
                server.close();
                processMetrics.close();
                registry.close();
                throw new PocketSyncException(ErrorCode.TRANSPORT_CLOSED, "cannot start the metrics endpoint: " + e.getMessage(), e);
            }
        }
        AdminServer admin = null;
        if (adminOptions.isPresent()) {
            try {
                admin = AdminServer.start(adminOptions.get(), server, VersionProvider.version(), settings.store());
            }
            catch (IOException | RuntimeException e) {
                if (endpoint != null) {
                    endpoint.close();
                }
                server.close();
                processMetrics.close();
                registry.close();
                throw new PocketSyncException(ErrorCode.TRANSPORT_CLOSED, "cannot start the admin API: " + e.getMessage(), e);
            }
        }
        log.info("PocketSync server ready; stop with SIGTERM or Ctrl-C");
        return new ServerRuntime(server, registry, metrics, running, endpoint, processMetrics, admin);
    }

    /**
     * The engine.
     *
     * @return the sync server the transports feed
     */
    public SyncServer server() {
        return server.engine();
    }

    /**
     * The WebSocket URL devices connect to.
     *
     * @return for example {@code ws://127.0.0.1:8787/sync}, with the bound port when 0 was asked
     * @throws IllegalStateException when the WebSocket transport is not enabled
     */
    public URI webSocketUri() {
        return server.address("websocket").orElseThrow(() -> new IllegalStateException("no WebSocket transport"));
    }

    /**
     * The meters of this server.
     *
     * @return the server's Micrometer metrics
     */
    public MicrometerServerMetrics metrics() {
        return metrics;
    }

    /**
     * The admin API and web console.
     *
     * @return the admin server; empty when {@code admin.port} was not set
     */
    public Optional<AdminServer> adminServer() {
        return Optional.ofNullable(adminServer);
    }

    /**
     * The metrics endpoint.
     *
     * @return the endpoint; empty when {@code metrics.port} was not set
     */
    public Optional<MetricsEndpoint> metricsEndpoint() {
        return Optional.ofNullable(metricsEndpoint);
    }

    @Override
    public void close() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        log.info("PocketSync server stopping");
        if (adminServer != null) {
            adminServer.close();
        }
        server.close();
        if (metricsEndpoint != null) {
            metricsEndpoint.close();
        }
        processMetrics.close();
        registry.close();
        log.info("PocketSync server stopped");
    }
}
