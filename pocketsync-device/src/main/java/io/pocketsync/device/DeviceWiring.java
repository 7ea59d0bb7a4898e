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
import java.util.List;
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
            @Nullable Executor listenerExecutor, Clock clock) {
        Spec {
            tables = List.copyOf(tables);
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
            SyncLoop loop = new SyncLoop(capture, transport, new Endpoint(spec.server(), spec.scope(), deviceId), spec.tokens(),
                    spec.options(), watchers, engine, status);
            return new PocketSyncDevice(capture, spec.dataSource(), spec.tables(), spec.scope(), deviceId, loop, watchers, status,
                    engine, owned);
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
