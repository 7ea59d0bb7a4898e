package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Grant;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.ChangeCaptureProvider;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.device.capture.ShortBusyWait;
import io.pocketsync.device.capture.SqliteTriggerCaptureProvider;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
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
 * device.onStatus(status -> showBadge(status.pendingCount(), status.isUpToDate()));
 * device.onError((code, message) -> log(code, message));
 * device.start();
 * }</pre>
 *
 * <p>Listeners are single-method types, so lambdas fit (Kotlin: {@code device.onStatus { showBadge(it) }}); each
 * registration returns a {@link Subscription} whose {@code close()} unregisters it.
 *
 * <p>Threads: all sync work runs on one engine thread ({@code pocketsync-engine}); transport callbacks
 * only enqueue work there. Watch and status listeners run on the listener executor: by default one
 * dedicated thread ({@code pocketsync-listeners}), so listeners are called one at a time in order,
 * never on a transport I/O thread; a UI app may pass its own (e.g. the UI thread's executor).
 * {@link #status()} and {@link #deviceId()} never block; {@link #cursor()} and {@link #pendingCount()} read the
 * database on the engine thread and wait for it at most 10 seconds.
 *
 * <p>Lifecycle: {@link #start()} once; {@link #stop()} stops syncing (local writes keep being captured
 * by the triggers and are pushed by the next device started on this database); {@link #close()} stops
 * and releases the database connections and threads. Public methods are thread-safe.
 */
public final class PocketSyncDevice implements AutoCloseable {
    /** How long a connection from {@link #connection()} waits for the engine's write lock. */
    private static final Duration APP_BUSY_TIMEOUT = Duration.ofSeconds(5);
    /** How long a getter waits for the engine thread, which may be applying a large page. */
    private static final int ENGINE_WAIT_SECONDS = 10;

    private final ChangeCapture capture;
    /** The capture of each scope, the first scope's first: the capture itself for a device of one scope. */
    private final Map<String, ChangeCapture> scopes;
    private final DataSource dataSource;
    private final List<String> tables;
    private final String deviceId;
    private final DeviceLoops loop;
    private final Watchers watchers;
    private final StatusBoard status;
    private final EngineThread engine;
    private final @Nullable ExecutorService ownedListenerExecutor;
    private boolean started;
    private boolean closed;

    /**
     * Wires a device from its parts (for Guice or by hand); most apps use {@link #builder()}.
     * The capture must be installed with {@code tables} by {@link #start()}.
     */
    PocketSyncDevice(ChangeCapture capture, Map<String, ChangeCapture> scopes, DataSource dataSource, List<String> tables,
            String deviceId, DeviceLoops loop, Watchers watchers, StatusBoard status, EngineThread engine,
            @Nullable ExecutorService ownedListenerExecutor) {
        this.capture = requireNonNull(capture, "capture is null");
        this.scopes = new LinkedHashMap<>(requireNonNull(scopes, "scopes is null"));
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        this.tables = List.copyOf(tables);
        this.deviceId = requireNonNull(deviceId, "deviceId is null");
        this.loop = requireNonNull(loop, "loop is null");
        this.watchers = requireNonNull(watchers, "watchers is null");
        this.status = requireNonNull(status, "status is null");
        this.engine = requireNonNull(engine, "engine is null");
        this.ownedListenerExecutor = ownedListenerExecutor;
    }

    /**
     * Starts building a device.
     *
     * @return a new, empty builder; not thread-safe
     */
    public static PocketSyncDeviceBuilder builder() {
        return new PocketSyncDeviceBuilder();
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
        // no bound: the first install queues every existing row of the tables
        engine.call(() -> {
            capture.install(tables);
            scopes.forEach((scope, view) -> view.bindScope(scope));
            return null;
        }, 0);
        loop.start();
    }

    /** Pushes pending changes and pulls from the server now, without waiting for the next commit or poll. */
    public void syncNow() {
        loop.syncNow();
    }

    /**
     * Pulls the server's full state again, this device's own rows included: the cursor goes back to 0, the server
     * answers with a snapshot, and synced local rows the server no longer has are removed at its end. Pending local
     * writes are kept and pushed. For a device whose data is suspect (restored by hand, edited with capture off); a
     * device restored from an older backup or that lost its file repairs itself when the server says so (README,
     * "Backups, images and restores"). Returns at once; the resync survives a restart until it is done.
     */
    public void resync() {
        loop.resync();
    }

    /**
     * {@link #resync()} of one scope only: its tables are pulled again, the other scopes go on as they are.
     *
     * @param scope one of {@link #scopes()}
     * @throws PocketSyncException {@code INVALID_FIELD} when the device does not sync {@code scope}
     */
    public void resync(String scope) {
        loop.resync(scope);
    }

    /**
     * The scopes this device syncs, each on its own session of the one connection (docs/protocol.md 3.9): the first
     * is the one {@link PocketSyncDeviceBuilder#scope} named (or the first {@link PocketSyncDeviceBuilder#table(String,
     * String)} named).
     *
     * @return the scopes, in order; one for most devices
     */
    public List<String> scopes() {
        return List.copyOf(scopes.keySet());
    }

    /**
     * The sync status of one scope's session: connected, last synced, its tables' pending and parked counts, its
     * catch-up. {@link #status()} combines every scope's (connected when all are, the counts summed).
     *
     * @param scope one of {@link #scopes()}
     * @return the latest snapshot of that scope; never blocks
     * @throws PocketSyncException {@code INVALID_FIELD} when the device does not sync {@code scope}
     */
    public SyncStatus status(String scope) {
        return loop.status(scope);
    }

    /**
     * What the server lets this device do in one scope, as its last WELCOME said (protocol 4): {@code READ_WRITE}, or
     * {@code READ_ONLY}, whose local writes the server refuses and the device reverts (an app may grey out edits).
     * Kept while offline. The same as {@code status(scope).grant()}.
     *
     * @param scope one of {@link #scopes()}
     * @return the grant; null before the first WELCOME, or from a server that does not say (older than protocol 4)
     * @throws PocketSyncException {@code INVALID_FIELD} when the device does not sync {@code scope}
     */
    public @Nullable Grant grant(String scope) {
        return status(scope).grant();
    }

    /**
     * The cursor of one scope (each scope has its own history), read on the engine thread.
     *
     * @param scope one of {@link #scopes()}
     * @return the last server sequence of that scope applied
     * @throws PocketSyncException {@code INVALID_FIELD} when the device does not sync {@code scope}; {@code TIMEOUT}
     *         when the engine does not answer within 10 seconds
     */
    public long cursor(String scope) {
        ChangeCapture view = scopes.get(requireNonNull(scope, "scope is null"));
        if (view == null) {
            throw new PocketSyncException(io.pocketsync.api.ErrorCode.INVALID_FIELD, "this device does not sync scope " + scope);
        }
        return engine.call(() -> view.state().cursor(), ENGINE_WAIT_SECONDS);
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
     * @return a new open connection, owned by the caller
     * @throws PocketSyncException {@code INTERNAL} when the database cannot be opened
     */
    public java.sql.Connection connection() {
        return AppConnections.open(dataSource, APP_BUSY_TIMEOUT, loop::localCommit);
    }

    /**
     * Watches a tracked table; the listener runs after each commit that changed it (local or remote).
     *
     * @param table the name of a table this device syncs
     * @param listener called on the listener executor after each such commit; not null
     * @return closes the watch
     */
    public Subscription watch(String table, TableListener listener) {
        return watchers.watch(table, listener);
    }

    /**
     * Watches a query: after each commit that changed a table the SQL mentions, the query runs again
     * and the listener receives its rows.
     *
     * @param sql a read-only SQL query; the tables it mentions decide which commits re-run it
     * @param args the query's parameters, none of them null
     * @param listener receives the query's rows on the listener executor after each re-run; not null
     * @return closes the watch
     */
    public Subscription watchQuery(String sql, List<Object> args, QueryListener listener) {
        return watchers.watchQuery(sql, args, listener);
    }

    /**
     * The sync status now: connected, last synced, pending and parked counts, catch-up progress. Never blocks, so
     * a UI thread may call it. The counts are the engine's latest reads of the change log: current within a
     * {@link DeviceOptions#pollInterval() poll interval} while a status listener is registered; otherwise a call
     * that finds them possibly out of date asks the engine to read them again, and a later call shows the result.
     *
     * @return the latest snapshot; never null
     */
    public SyncStatus status() {
        loop.statusAsked();
        return status.current();
    }

    /**
     * Compares this device's rows with the server's by checksum, now (docs/protocol.md 4): per tracked table the
     * device's row count and checksum, and whether they match the server's at the same sequence (the device catches up
     * first when it is behind). Rows with pending local changes or parked remote ones are left out of the comparison.
     * With {@code repair}, rows that differ get the server's state (pending local writes stay and are pushed) and rows
     * the server never had are deleted. The device does this on its own after each session's first catch-up and every
     * {@link DeviceOptions#verifyInterval()}; a verification already running is joined.
     *
     * @param repair whether to write the server's state into rows that differ
     * @return the report; completes with {@link VerifyReport#compared()} false when offline or when the scope kept moving
     */
    public java.util.concurrent.CompletableFuture<VerifyReport> verify(boolean repair) {
        return loop.verify(repair);
    }

    /**
     * The device's checksum metrics since it started: comparisons made, tables found differing, rows repaired.
     *
     * @return a snapshot; any thread
     */
    public ChecksumStats checksumStats() {
        return loop.checksumStats();
    }

    /**
     * Calls {@code listener} with the current {@link #status()} at once, then with each snapshot that differs from
     * the last, on the listener executor. While it is registered the counts in the snapshots are kept current.
     *
     * @param listener receives each new snapshot; not null
     * @return closes the registration
     */
    public Subscription onStatus(Consumer<SyncStatus> listener) {
        return status.onStatus(listener);
    }

    /**
     * Calls {@code listener} for every error the device reports (see {@link SyncStatusListener#error}), on the
     * listener executor.
     *
     * @param listener receives each error code and message; not null
     * @return closes the registration
     */
    public Subscription onError(SyncErrorListener listener) {
        return status.onError(listener);
    }

    /**
     * Registers a listener for every status event; {@link #onStatus} and {@link #onError} are shorter for one kind.
     *
     * @param listener the listener; not null
     * @return closes the registration
     */
    public Subscription addStatusListener(SyncStatusListener listener) {
        return status.add(listener);
    }

    /**
     * The remote changes this device parked because it could not apply them: list, retry after fixing the cause,
     * or drop. Works whether or not the engine is started; see {@link io.pocketsync.device.capture.DeadLetters}.
     *
     * @return a view of the parked changes in this device's database
     */
    public io.pocketsync.device.capture.DeadLetters deadLetters() {
        return io.pocketsync.device.capture.DeadLetters.of(dataSource);
    }

    /**
     * This device's persistent id. Never blocks.
     *
     * @return the id the device presents to the server; never null
     */
    public String deviceId() {
        return deviceId;
    }

    /**
     * The tables whose current state is still arriving: tracked after the device had synced, they join through a table
     * catch-up of their own (docs/protocol.md 3.8) while the other tables sync as before; a table is not listed any more
     * once its last page is applied. Read on the engine thread, over every scope.
     *
     * @return the tables catching up, sorted per scope; empty when none is
     * @throws PocketSyncException {@code TIMEOUT} when the engine does not answer within 10 seconds
     */
    public List<String> tablesCatchingUp() {
        return engine.call(() -> {
            List<String> tables = new java.util.ArrayList<>();
            for (ChangeCapture view : scopes.values()) {
                io.pocketsync.api.capture.TableCatchUp catchUp = view.tableCatchUp();
                if (catchUp != null) {
                    tables.addAll(catchUp.tables());
                }
            }
            return List.copyOf(tables);
        }, ENGINE_WAIT_SECONDS);
    }

    /**
     * The last server sequence applied (of the first scope, see {@link #cursor(String)}), read on the engine thread.
     *
     * @return the cursor the next catch-up resumes from
     * @throws PocketSyncException {@code TIMEOUT} when the engine does not answer within
     *         10 seconds
     */
    public long cursor() {
        return cursor(scopes.keySet().iterator().next());
    }

    /**
     * Local changes not yet acknowledged by the server, counted on the engine thread ({@link #status()} has the
     * count without waiting).
     *
     * @return the number of local changes still waiting for an ACK; never negative
     * @throws PocketSyncException {@code TIMEOUT} when the engine does not answer within
     *         10 seconds
     */
    public long pendingCount() {
        return engine.call(() -> scopes.values().stream().mapToLong(ChangeCapture::pendingCount).sum(), ENGINE_WAIT_SECONDS);
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
            engine.call(() -> {
                watchers.close();
                capture.close();
                return null;
            }, ENGINE_WAIT_SECONDS);
        }
        catch (RuntimeException e) {
            capture.close();
        }
        engine.shutdown();
        if (ownedListenerExecutor != null) {
            ownedListenerExecutor.shutdown();
        }
    }
}
