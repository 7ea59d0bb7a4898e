package io.pocketsync.server.engine.assembly;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.Health;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.api.transport.ServerTransport;
import io.pocketsync.core.config.Settings;
import io.pocketsync.server.engine.ServerListener;
import io.pocketsync.server.engine.SyncServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running server: the engine, its store and the transports serving devices, as a {@link ServerAssembly}
 * started them from configuration.
 *
 * <pre>{@code
 * try (PocketSyncServer server = PocketSyncServer.start(Settings.load(Path.of("server.properties")))) {
 *     URI url = server.address("websocket").orElseThrow();   // e.g. ws://127.0.0.1:8787/sync
 *     ...
 * }
 * }</pre>
 *
 * <p>Owns all three and closes them in the order that keeps devices informed: the engine first (it tells
 * every device SHUTTING_DOWN while the transports still carry it), then the transports in reverse start
 * order, then the store. Thread-safe; {@link #close()} is idempotent.
 */
public final class PocketSyncServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PocketSyncServer.class);

    private final SyncServer engine;
    private final ServerStore store;
    private final Map<String, ServerTransport> transports;
    private final AtomicBoolean closed = new AtomicBoolean();

    PocketSyncServer(SyncServer engine, ServerStore store, Map<String, ServerTransport> transports) {
        this.engine = requireNonNull(engine, "engine is null");
        this.store = requireNonNull(store, "store is null");
        this.transports = Collections.unmodifiableMap(new LinkedHashMap<>(transports));
    }

    /**
     * Assembles and starts a server from {@code settings} with the plugins on the classpath
     * ({@link ServerAssembly#of(Settings)}, no metrics listener).
     *
     * @param settings the effective server settings (defaults, file, overrides)
     * @return the running server, which the caller closes
     * @throws io.pocketsync.api.PocketSyncException {@code CONFIG_INVALID} or {@code PROVIDER_NOT_FOUND} for bad
     *         settings; {@code STORE_UNAVAILABLE} or {@code TRANSPORT_CLOSED} when the store or a transport cannot start
     */
    public static PocketSyncServer start(Settings settings) {
        return ServerAssembly.of(settings).start(ServerListener.NONE);
    }

    /**
     * The engine (audit queries, pruning, session counts).
     *
     * @return the running engine; owned by this server
     */
    public SyncServer engine() {
        return engine;
    }

    /**
     * The store.
     *
     * @return the open store; owned by this server, closed with it
     */
    public ServerStore store() {
        return store;
    }

    /**
     * The running transports by provider name, in start order.
     *
     * @return an unmodifiable map of provider name to running transport
     */
    public Map<String, ServerTransport> transports() {
        return transports;
    }

    /**
     * Where devices reach the transport named {@code name} ({@link ServerTransport#address()}); empty when none.
     *
     * @param name a transport provider name, for example {@code websocket}
     * @return the address; empty when no such transport runs or it has no address
     */
    public Optional<URI> address(String name) {
        ServerTransport transport = transports.get(name);
        return transport == null ? Optional.empty() : transport.address();
    }

    /**
     * Whether each part can serve right now, for {@code /health/ready}: {@code store}, then each transport by
     * name. A part whose check throws counts as down, with the exception as detail. All down once closed.
     *
     * @return part name to health, in that order
     */
    public Map<String, Health> readiness() {
        Map<String, Health> parts = new LinkedHashMap<>();
        parts.put("store", closed.get() ? Health.down("server stopped") : check(store::health));
        transports.forEach((name, transport) -> parts.put(name, closed.get() ? Health.down("server stopped")
                : check(transport::health)));
        return parts;
    }

    private static Health check(java.util.function.Supplier<Health> part) {
        try {
            return requireNonNull(part.get(), "health is null");
        }
        catch (RuntimeException e) {
            return Health.down("health check failed: " + e);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<AutoCloseable> order = new ArrayList<>();
        order.add(engine);
        List<ServerTransport> started = new ArrayList<>(transports.values());
        Collections.reverse(started);
        order.addAll(started);
        order.add(store);
        closeAll(order);
    }

    /** Closes each in order; one failing does not keep the others open. */
    static void closeAll(List<? extends AutoCloseable> closeables) {
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            }
            catch (Exception e) {
                LOG.warn("Closing {} failed: {}", closeable.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
