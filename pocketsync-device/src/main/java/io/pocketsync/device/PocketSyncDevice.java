package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.ChangeCaptureProvider;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import io.pocketsync.device.capture.ShortBusyWait;
import io.pocketsync.device.capture.SqliteTriggerCaptureProvider;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteDataSource;

/**
 * PocketSync on a device: keeps the tracked tables of an existing SQLite database in sync with a
 * server. Writes from any connection or process (even the {@code sqlite3} shell) are captured by
 * triggers and pushed; remote changes are applied and reported to watchers.
 *
 * <pre>{@code
 * PocketSyncDevice device = PocketSyncDevice.builder()
 *         .database(Path.of("app.db")).tables("todo", "project")
 *         .server(URI.create("ws://sync.example.com/sync")).scope("alice").token(token)
 *         .transport("websocket")
 *         .build();
 * device.watch("todo", (table, remote) -> refreshUi());
 * device.start();
 * }</pre>
 *
 * <p>Threads: all sync work runs on one engine thread ({@code pocketsync-engine}); transport callbacks
 * only enqueue work there. Watch and status listeners run on the listener executor: by default one
 * dedicated thread ({@code pocketsync-listeners}), so listeners are called one at a time in order,
 * never on a transport I/O thread; a UI app may pass its own (e.g. the UI thread's executor).
 *
 * <p>Lifecycle: {@link #start()} once; {@link #stop()} stops syncing (local writes keep being captured
 * by the triggers and are pushed by the next device started on this database); {@link #close()} stops
 * and releases the database connections and threads. Public methods are thread-safe.
 */
public final class PocketSyncDevice implements AutoCloseable {
    /** How long a connection from {@link #connection()} waits for the engine's write lock. */
    private static final Duration APP_BUSY_TIMEOUT = Duration.ofSeconds(5);

    private final ChangeCapture capture;
    private final DataSource dataSource;
    private final List<String> tables;
    private final String scope;
    private final SyncLoop loop;
    private final Watchers watchers;
    private final ScheduledExecutorService engine;
    private final @Nullable ExecutorService ownedListenerExecutor;
    private boolean started;
    private boolean closed;

    /**
     * Wires a device from its parts (for Guice or by hand); most apps use {@link #builder()}.
     * The capture must be installed with {@code tables} by {@link #start()}.
     */
    PocketSyncDevice(ChangeCapture capture, DataSource dataSource, List<String> tables, String scope, SyncLoop loop,
            Watchers watchers, ScheduledExecutorService engine, @Nullable ExecutorService ownedListenerExecutor) {
        this.capture = requireNonNull(capture, "capture is null");
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        this.tables = List.copyOf(tables);
        this.scope = requireNonNull(scope, "scope is null");
        this.loop = requireNonNull(loop, "loop is null");
        this.watchers = requireNonNull(watchers, "watchers is null");
        this.engine = requireNonNull(engine, "engine is null");
        this.ownedListenerExecutor = ownedListenerExecutor;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Installs capture (system tables, {@code ps_global_id}, triggers; pre-existing rows queued once)
     * and starts syncing.
     *
     * @throws PocketSyncException {@code SCHEMA_INVALID} when a table is missing or unsupported
     */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException("a device starts once");
        }
        started = true;
        onEngine(() -> {
            capture.install(tables);
            capture.bindScope(scope);
            return null;
        });
        loop.start();
    }

    /** Pushes pending changes and pulls from the server now, without waiting for the next commit or poll. */
    public void syncNow() {
        loop.syncNow();
    }

    /**
     * A new JDBC connection to the device database for the app's own writes. Writes through any
     * connection are captured; what this one adds is a commit hook: each commit wakes the engine at
     * once, so the change is pushed within milliseconds instead of at the next poll of
     * {@link DeviceOptions#pollInterval()}. The connection waits up to 5 s for a lock the engine holds, in
     * steps of microseconds rather than SQLite's milliseconds ({@link ShortBusyWait}), and keeps SQLite's
     * temporary files in memory (statements that fire capture triggers keep a statement journal).
     * The caller closes it; it may be used from any one thread at a time, like any JDBC connection.
     *
     * @throws PocketSyncException {@code INTERNAL} when the database cannot be opened
     */
    public java.sql.Connection connection() {
        try {
            java.sql.Connection connection = dataSource.getConnection();
            try (java.sql.Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA busy_timeout = " + APP_BUSY_TIMEOUT.toMillis());
                statement.execute("PRAGMA temp_store = MEMORY");
            }
            if (connection.isWrapperFor(org.sqlite.SQLiteConnection.class)) {
                // waits for the engine's short transactions in short steps (busy_timeout sleeps a millisecond at least)
                ShortBusyWait.install(connection, APP_BUSY_TIMEOUT);
                connection.unwrap(org.sqlite.SQLiteConnection.class).addCommitListener(new org.sqlite.SQLiteCommitListener() {
                    @Override
                    public void onCommit() {
                        // Called on the committing thread before the commit is visible to other
                        // connections; the engine runs the poll after it, on its own thread.
                        loop.localCommit();
                    }

                    @Override
                    public void onRollback() {}
                });
            }
            return connection;
        }
        catch (java.sql.SQLException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "cannot open a connection to the device database: " + e.getMessage(), e);
        }
    }

    /** Watches a tracked table; the listener runs after each commit that changed it (local or remote). */
    public AutoCloseable watch(String table, TableListener listener) {
        return watchers.watch(table, listener);
    }

    /**
     * Watches a query: after each commit that changed a table the SQL mentions, the query runs again
     * and the listener receives its rows.
     */
    public AutoCloseable watchQuery(String sql, List<Object> args, QueryListener listener) {
        return watchers.watchQuery(sql, args, listener);
    }

    /** This device's persistent id. */
    public String deviceId() {
        return onEngine(() -> capture.state().deviceId());
    }

    /** The last server sequence applied. */
    public long cursor() {
        return onEngine(() -> capture.state().cursor());
    }

    /** Local changes not yet acknowledged by the server. */
    public long pendingCount() {
        return onEngine(capture::pendingCount);
    }

    /** Stops syncing; idempotent. */
    public synchronized void stop() {
        if (started && !closed) {
            loop.stop();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        stop();
        closed = true;
        try {
            engine.submit(() -> {
                watchers.close();
                capture.close();
            }).get(10, TimeUnit.SECONDS);
        }
        catch (Exception e) {
            capture.close();
        }
        engine.shutdown();
        if (ownedListenerExecutor != null) {
            ownedListenerExecutor.shutdown();
        }
    }

    private <T> T onEngine(java.util.concurrent.Callable<T> work) {
        try {
            return engine.submit(work).get();
        }
        catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new PocketSyncException(ErrorCode.INTERNAL, String.valueOf(e.getCause()), e.getCause());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PocketSyncException(ErrorCode.INTERNAL, "interrupted", e);
        }
    }

    /**
     * Builds a {@link PocketSyncDevice} without any injector. Required: a database, at least one table,
     * a scope, a server URI, and a transport (instance or name). Not thread-safe.
     */
    public static final class Builder {
        private @Nullable DataSource dataSource;
        private final List<String> tables = new ArrayList<>();
        private @Nullable String scope;
        private String token = "";
        private @Nullable URI server;
        private @Nullable ClientTransport transport;
        private @Nullable String transportName;
        private PluginConfig transportConfig = PluginConfig.empty("");
        private DeviceOptions options = DeviceOptions.DEFAULTS;
        private String captureName = SqliteTriggerCaptureProvider.NAME;
        private PluginConfig captureConfig = PluginConfig.empty("");
        private SyncStatusListener statusListener = SyncStatusListener.NONE;
        private java.util.concurrent.@Nullable Executor listenerExecutor;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** The SQLite file (created if missing). */
        public Builder database(Path file) {
            SQLiteDataSource source = new SQLiteDataSource();
            source.setUrl("jdbc:sqlite:" + requireNonNull(file, "file is null").toAbsolutePath());
            this.dataSource = source;
            return this;
        }

        /** A data source of the SQLite database (sqlite-jdbc); the device takes two connections from it. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = requireNonNull(dataSource, "dataSource is null");
            return this;
        }

        public Builder tables(String... names) {
            return tables(Arrays.asList(names));
        }

        public Builder tables(List<String> names) {
            for (String name : names) {
                tables.add(Identifiers.requireSqlName(name, "table"));
            }
            return this;
        }

        public Builder scope(String scope) {
            this.scope = Identifiers.requireScopeOrDeviceId(scope, "scope");
            return this;
        }

        /** The credentials presented in HELLO; never logged. */
        public Builder token(String token) {
            this.token = requireNonNull(token, "token is null");
            return this;
        }

        public Builder server(URI server) {
            this.server = requireNonNull(server, "server is null");
            return this;
        }

        /** A transport instance; the device starts and closes it. */
        public Builder transport(ClientTransport transport) {
            this.transport = requireNonNull(transport, "transport is null");
            this.transportName = null;
            return this;
        }

        /** A transport by provider name ({@code websocket}, {@code mqtt}) or URI scheme, found through ServiceLoader. */
        public Builder transport(String nameOrScheme, PluginConfig config) {
            this.transportName = requireNonNull(nameOrScheme, "nameOrScheme is null");
            this.transportConfig = requireNonNull(config, "config is null");
            this.transport = null;
            return this;
        }

        public Builder transport(String nameOrScheme) {
            return transport(nameOrScheme, PluginConfig.empty(""));
        }

        public Builder options(DeviceOptions options) {
            this.options = requireNonNull(options, "options is null");
            return this;
        }

        /**
         * The change capture by provider name, found through ServiceLoader ({@link ChangeCaptureProvider}); default
         * {@code sqlite-triggers}. {@code config} holds the provider's keys, with or without the
         * {@code capture.<name>} namespace; an unknown key fails {@link #build()} with {@code CONFIG_INVALID}.
         */
        public Builder capture(String name, PluginConfig config) {
            this.captureName = requireNonNull(name, "name is null");
            this.captureConfig = requireNonNull(config, "config is null");
            return this;
        }

        /** {@link #capture(String, PluginConfig)} with the provider's defaults. */
        public Builder capture(String name) {
            return capture(name, PluginConfig.empty(""));
        }

        public Builder statusListener(SyncStatusListener listener) {
            this.statusListener = requireNonNull(listener, "listener is null");
            return this;
        }

        /** Where watch and status listeners run; default: one dedicated daemon thread. */
        public Builder listenerExecutor(java.util.concurrent.Executor executor) {
            this.listenerExecutor = requireNonNull(executor, "executor is null");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock is null");
            return this;
        }

        /**
         * @throws PocketSyncException {@code CONFIG_INVALID} when something required is missing or a capture option
         *         is unknown; {@code PROVIDER_NOT_FOUND} or {@code PROVIDER_AMBIGUOUS} when the capture or the
         *         transport name does not select exactly one provider; {@code SCHEMA_INVALID} when a table is
         *         missing or unsupported
         */
        public PocketSyncDevice build() {
            if (dataSource == null || tables.isEmpty() || scope == null || server == null
                    || (transport == null && transportName == null)) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID,
                        "a device needs a database, tables, a scope, a server URI and a transport");
            }
            ChangeCapture capture = ChangeCaptures.create(captureName, captureConfig, dataSource, clock);
            ScheduledExecutorService engine = Executors.newSingleThreadScheduledExecutor(daemon("pocketsync-engine"));
            String deviceId;
            try {
                deviceId = engine.submit(() -> {
                    capture.install(tables);
                    return capture.state().deviceId();
                }).get();
            }
            catch (Exception e) {
                engine.shutdown();
                capture.close();
                Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
                if (cause instanceof PocketSyncException p) {
                    throw p;
                }
                throw new PocketSyncException(ErrorCode.SCHEMA_INVALID, "cannot prepare the database: " + cause, cause);
            }
            ClientTransport chosen = transport != null ? transport
                    : ClientTransports.create(transportName, transportConfig, deviceId, clock);
            @Nullable ExecutorService owned = null;
            java.util.concurrent.Executor listeners = listenerExecutor;
            if (listeners == null) {
                owned = Executors.newSingleThreadExecutor(daemon("pocketsync-listeners"));
                listeners = owned;
            }
            Watchers watchers = new Watchers(dataSource, listeners);
            StatusBoard status = new StatusBoard(listeners, statusListener);
            SyncLoop loop = new SyncLoop(capture, chosen, new Endpoint(server, scope, deviceId), token, options, watchers,
                    new EngineThread(engine, status::engineFailed), status);
            return new PocketSyncDevice(capture, dataSource, tables, scope, loop, watchers, engine, owned);
        }

        private static java.util.concurrent.ThreadFactory daemon(String name) {
            return runnable -> {
                Thread thread = new Thread(runnable, name);
                thread.setDaemon(true);
                return thread;
            };
        }
    }
}
