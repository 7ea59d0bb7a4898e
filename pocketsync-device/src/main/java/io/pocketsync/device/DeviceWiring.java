package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import java.net.URI;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Wires a {@link PocketSyncDevice} from what its builder collected: the capture and the transport chosen by name,
 * the engine and listener threads, the status board and the sync loop. What it started is closed again when a later
 * step fails. Stateless.
 */
final class DeviceWiring {
    /** What a {@link PocketSyncDeviceBuilder} collected and checked. */
    record Spec(DataSource dataSource, List<String> tables, String scope, Supplier<String> tokens, URI server,
            @Nullable ClientTransport transport, @Nullable String transportName, PluginConfig transportConfig,
            DeviceOptions options, String captureName, PluginConfig captureConfig, SyncStatusListener statusListener,
            @Nullable Executor listenerExecutor, Clock clock, Map<String, List<String>> scopeTables,
            Map<String, Supplier<String>> scopeTokens) {
        /** A device of one scope: every table is {@code scope}'s. */
        Spec(DataSource dataSource, List<String> tables, String scope, Supplier<String> tokens, URI server,
                @Nullable ClientTransport transport, @Nullable String transportName, PluginConfig transportConfig,
                DeviceOptions options, String captureName, PluginConfig captureConfig, SyncStatusListener statusListener,
                @Nullable Executor listenerExecutor, Clock clock) {
            this(dataSource, tables, scope, tokens, server, transport, transportName, transportConfig, options, captureName,
                    captureConfig, statusListener, listenerExecutor, clock, Map.of(scope, tables), Map.of());
        }

        Spec {
            tables = List.copyOf(tables);
            scopeTables = Collections.unmodifiableMap(new LinkedHashMap<>(scopeTables));
            scopeTokens = Map.copyOf(scopeTokens);
            if (!scopeTables.keySet().iterator().next().equals(scope)) {
                throw new IllegalArgumentException("the first scope's tables come first");
            }
            if (transport == null && transportName == null) {
                throw new IllegalArgumentException("a transport or a transport name is needed");
            }
        }
    }

    private DeviceWiring() {}

    static PocketSyncDevice wire(Spec spec) {
        ChangeCapture capture = ChangeCaptures.create(spec.captureName(), spec.captureConfig(), spec.dataSource(), spec.clock());
        @Nullable ExecutorService owned = null;
        Executor listeners = spec.listenerExecutor();
        if (listeners == null) {
            owned = Executors.newSingleThreadExecutor(daemon("pocketsync-listeners"));
            listeners = owned;
        }
        StatusBoard status = new StatusBoard(listeners, spec.clock(), spec.statusListener());
        EngineThread engine = new EngineThread(Executors.newSingleThreadScheduledExecutor(daemon("pocketsync-engine")),
                status::engineFailed);
        try {
            String deviceId = install(capture, engine, spec.tables());
            ClientTransport transport = spec.transport() != null ? spec.transport()
                    : ClientTransports.create(requireNonNull(spec.transportName()), spec.transportConfig(), deviceId, spec.clock());
            Watchers watchers = new Watchers(spec.dataSource(), listeners);
            Map<String, ChangeCapture> views = new LinkedHashMap<>();
            Map<String, SyncLoop> loops = new LinkedHashMap<>();
            Map<String, StatusBoard> boards = new LinkedHashMap<>();
            if (spec.scopeTables().size() == 1) {
                views.put(spec.scope(), capture);
                boards.put(spec.scope(), status);
                loops.put(spec.scope(), new SyncLoop(capture, transport, new Endpoint(spec.server(), spec.scope(), deviceId),
                        spec.tokens(), spec.options(), watchers, engine, status));
            }
            else {
                // one connection, one session per scope on it (protocol.md 3.9): each scope's loop over its own channel
                ScopeChannels channels = new ScopeChannels(transport, new Endpoint(spec.server(), spec.scope(), deviceId,
                        List.copyOf(spec.scopeTables().keySet())));
                engine.call(() -> {
                    spec.scopeTables().forEach((scope, tables) -> views.put(scope, capture.scope(scope, tables)));
                    return null;
                }, 0);
                Supplier<List<SyncStatus>> snapshots = () -> boards.values().stream().map(StatusBoard::current).toList();
                for (Map.Entry<String, ChangeCapture> view : views.entrySet()) {
                    String scope = view.getKey();
                    StatusBoard board = new StatusBoard(Runnable::run, spec.clock(), new ScopeStatusRelay(scope, status, snapshots));
                    boards.put(scope, board);
                    loops.put(scope, new SyncLoop(view.getValue(), channels.channel(scope), new Endpoint(spec.server(), scope,
                            deviceId), spec.scopeTokens().getOrDefault(scope, spec.tokens()), spec.options(), watchers, engine,
                            board));
                }
            }
            return new PocketSyncDevice(capture, views, spec.dataSource(), spec.tables(), deviceId,
                    new DeviceLoops(loops, boards), watchers, status, engine, owned);
        }
        catch (RuntimeException e) {
            engine.shutdown();
            capture.close();
            if (owned != null) {
                owned.shutdown();
            }
            throw e;
        }
    }

    /** Installs capture on the engine thread (the capture is used from there only) and returns the device id. */
    private static String install(ChangeCapture capture, EngineThread engine, List<String> tables) {
        try {
            // no bound: the first install queues every existing row of the tables
            return engine.call(() -> {
                capture.install(tables);
                return capture.state().deviceId();
            }, 0);
        }
        catch (PocketSyncException e) {
            throw e;
        }
        catch (RuntimeException e) {
            throw new PocketSyncException(ErrorCode.SCHEMA_INVALID, "cannot prepare the database: " + e, e);
        }
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
