package io.pocketsync.device;

import static java.util.Objects.requireNonNull;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
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
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteDataSource;

/**
 * Builds a {@link PocketSyncDevice} without any injector. Required: a database, at least one table,
 * a scope, a server URI, and a transport (instance or name). Not thread-safe.
 */
public final class PocketSyncDeviceBuilder {
    private @Nullable DataSource dataSource;
    private final List<String> tables = new ArrayList<>();
    private @Nullable String scope;
    private Supplier<String> tokens = () -> "";
    /** Tables bound to a scope by {@link #table(String, String)}: table to scope, in order. */
    private final java.util.Map<String, String> scopedTables = new java.util.LinkedHashMap<>();
    private final java.util.Map<String, Supplier<String>> scopeTokens = new java.util.HashMap<>();
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

    PocketSyncDeviceBuilder() {}

    /**
     * The SQLite file (created if missing).
     *
     * @param file path of the device database; relative paths resolve against the working directory
     * @return this builder
     */
    public PocketSyncDeviceBuilder database(Path file) {
        SQLiteDataSource source = new SQLiteDataSource();
        source.setUrl("jdbc:sqlite:" + requireNonNull(file, "file is null").toAbsolutePath());
        this.dataSource = source;
        return this;
    }

    /**
     * A data source of the SQLite database (sqlite-jdbc); the device takes up to three connections from it
     * (the engine's, the watchers' reads, and in WAL mode one that checkpoints the engine's writes).
     *
     * @param dataSource the device database; not null
     * @return this builder
     */
    public PocketSyncDeviceBuilder dataSource(DataSource dataSource) {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        return this;
    }

    /**
     * Adds tables to sync.
     *
     * @param names table names, each a plain SQL identifier of an existing table
     * @return this builder
     * @throws PocketSyncException {@code IDENTIFIER_INVALID} when a name is not a valid SQL identifier
     */
    public PocketSyncDeviceBuilder tables(String... names) {
        return tables(Arrays.asList(names));
    }

    /**
     * Adds tables to sync.
     *
     * @param names table names, each a plain SQL identifier of an existing table
     * @return this builder
     * @throws PocketSyncException {@code IDENTIFIER_INVALID} when a name is not a valid SQL identifier
     */
    public PocketSyncDeviceBuilder tables(List<String> names) {
        for (String name : names) {
            tables.add(Identifiers.requireSqlName(name, "table"));
        }
        return this;
    }

    /**
     * Adds a table that syncs in {@code scope}, for a device that syncs several scopes on its one connection
     * (docs/protocol.md 3.9), e.g. its user's own {@code todos} in {@code alice} and a team's {@code projects} in
     * {@code team-42}:
     *
     * <pre>{@code
     * PocketSyncDevice.builder().database(file).server(uri).transport("websocket")
     *         .table("todos", "alice").table("projects", "team-42")
     *         .token(jwtGrantingBoth)               // or a token per scope: .token("team-42", teamToken)
     *         .build();
     * }</pre>
     *
     * Each scope is a session of its own (cursor, pushes, broadcasts, catch-up, resync, checksums, read-only grant,
     * refusal); a table belongs to one scope for good (binding a table to another scope than the one it synced in
     * fails {@link PocketSyncDevice#start()} with {@code CONFIG_INVALID}). Tables added with {@link #tables} sync in the
     * scope of {@link #scope}, which is then the first scope; otherwise the first scope named here is.
     *
     * @param name the table, a plain SQL identifier of an existing table
     * @param scope the scope it syncs in
     * @return this builder
     * @throws PocketSyncException {@code IDENTIFIER_INVALID} when a name is not valid; {@code CONFIG_INVALID} when the
     *         table was bound to another scope already
     */
    public PocketSyncDeviceBuilder table(String name, String scope) {
        String table = Identifiers.requireSqlName(name, "table");
        String bound = scopedTables.putIfAbsent(table, Identifiers.requireScopeOrDeviceId(scope, "scope"));
        if (bound != null && !bound.equals(scope)) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "table " + table + " is bound to scope " + bound
                    + " already; a table syncs in one scope");
        }
        return this;
    }

    /**
     * The token of one scope's HELLO, for a device of several scopes whose server checks a token per scope (a static
     * token opens one scope). Scopes without one use {@link #token(String)} or {@link #tokenSupplier(Supplier)}: one JWT
     * whose grant lists several scopes serves all of them.
     *
     * @param scope a scope of {@link #table(String, String)} or {@link #scope}
     * @param token the token; not null
     * @return this builder
     */
    public PocketSyncDeviceBuilder token(String scope, String token) {
        requireNonNull(token, "token is null");
        return tokenSupplier(scope, () -> token);
    }

    /**
     * {@link #token(String, String)} from a supplier, asked before each of that scope's HELLOs (see
     * {@link #tokenSupplier(Supplier)}).
     *
     * @param scope a scope of {@link #table(String, String)} or {@link #scope}
     * @param tokens gives the scope's current token; not null
     * @return this builder
     */
    public PocketSyncDeviceBuilder tokenSupplier(String scope, Supplier<String> tokens) {
        scopeTokens.put(Identifiers.requireScopeOrDeviceId(scope, "scope"), requireNonNull(tokens, "tokens is null"));
        return this;
    }

    /**
     * The sync scope: the server shares changes among the devices of one scope only. Required unless every table is
     * bound to a scope with {@link #table(String, String)}.
     *
     * @param scope the scope name
     * @return this builder
     * @throws PocketSyncException {@code IDENTIFIER_INVALID} when the name is not a valid scope name
     */
    public PocketSyncDeviceBuilder scope(String scope) {
        this.scope = Identifiers.requireScopeOrDeviceId(scope, "scope");
        return this;
    }

    /**
     * The credentials presented in HELLO; never logged. Default: empty. For a token that expires, give a
     * {@link #tokenSupplier(Supplier)} instead.
     *
     * @param token the token the server's authenticator checks; not null, may be empty
     * @return this builder
     */
    public PocketSyncDeviceBuilder token(String token) {
        requireNonNull(token, "token is null");
        this.tokens = () -> token;
        return this;
    }

    /**
     * Where the credentials come from: asked before each HELLO, so a session that ended with its token
     * ({@code TOKEN_EXPIRED}, or a refused {@code AUTH_FAILED}) starts again with whatever the supplier has now, for
     * example a token file that another process renews. Called on the engine thread; it should not block for long.
     * A supplier that throws or returns null keeps the device offline until the next attempt (the status listener
     * hears {@code AUTH_FAILED}); its message is never logged, as it could hold the token.
     *
     * @param tokens gives the current token; not null
     * @return this builder
     */
    public PocketSyncDeviceBuilder tokenSupplier(Supplier<String> tokens) {
        this.tokens = requireNonNull(tokens, "tokens is null");
        return this;
    }

    /**
     * The server to sync with. Required.
     *
     * @param server the server's URI, for example {@code ws://host:8080/sync}; its scheme may select the transport
     * @return this builder
     */
    public PocketSyncDeviceBuilder server(URI server) {
        this.server = requireNonNull(server, "server is null");
        return this;
    }

    /**
     * A transport instance; the device starts and closes it. Replaces a transport chosen by name.
     *
     * @param transport the client transport; not null
     * @return this builder
     */
    public PocketSyncDeviceBuilder transport(ClientTransport transport) {
        this.transport = requireNonNull(transport, "transport is null");
        this.transportName = null;
        return this;
    }

    /**
     * A transport by provider name ({@code websocket}, {@code mqtt}) or URI scheme, found through ServiceLoader.
     * Replaces a transport instance.
     *
     * @param nameOrScheme the provider name or URI scheme; not null
     * @param config the provider's settings; not null
     * @return this builder
     */
    public PocketSyncDeviceBuilder transport(String nameOrScheme, PluginConfig config) {
        this.transportName = requireNonNull(nameOrScheme, "nameOrScheme is null");
        this.transportConfig = requireNonNull(config, "config is null");
        this.transport = null;
        return this;
    }

    /**
     * {@link #transport(String, PluginConfig)} with the provider's defaults.
     *
     * @param nameOrScheme the provider name or URI scheme; not null
     * @return this builder
     */
    public PocketSyncDeviceBuilder transport(String nameOrScheme) {
        return transport(nameOrScheme, PluginConfig.empty(""));
    }

    /**
     * Engine tuning. Default: {@link DeviceOptions#DEFAULTS}.
     *
     * @param options the options; not null
     * @return this builder
     */
    public PocketSyncDeviceBuilder options(DeviceOptions options) {
        this.options = requireNonNull(options, "options is null");
        return this;
    }

    /**
     * The change capture by provider name, found through ServiceLoader ({@link ChangeCaptureProvider}); default
     * {@code sqlite-triggers}. {@code config} holds the provider's keys, with or without the
     * {@code capture.<name>} namespace; an unknown key fails {@link #build()} with {@code CONFIG_INVALID}.
     *
     * @param name the capture provider name; not null
     * @param config the provider's settings; not null
     * @return this builder
     */
    public PocketSyncDeviceBuilder capture(String name, PluginConfig config) {
        this.captureName = requireNonNull(name, "name is null");
        this.captureConfig = requireNonNull(config, "config is null");
        return this;
    }

    /**
     * {@link #capture(String, PluginConfig)} with the provider's defaults.
     *
     * @param name the capture provider name; not null
     * @return this builder
     */
    public PocketSyncDeviceBuilder capture(String name) {
        return capture(name, PluginConfig.empty(""));
    }

    /**
     * A listener registered before the device starts, so it sees the first events. Default:
     * {@link SyncStatusListener#NONE}.
     *
     * @param listener the listener; not null
     * @return this builder
     */
    public PocketSyncDeviceBuilder statusListener(SyncStatusListener listener) {
        this.statusListener = requireNonNull(listener, "listener is null");
        return this;
    }

    /**
     * Where watch and status listeners run; default: one dedicated daemon thread, shut down on close.
     *
     * @param executor runs listener calls; owned by the caller, which shuts it down after closing the device
     * @return this builder
     */
    public PocketSyncDeviceBuilder listenerExecutor(java.util.concurrent.Executor executor) {
        this.listenerExecutor = requireNonNull(executor, "executor is null");
        return this;
    }

    /**
     * The clock that stamps local changes and status times. Default: the UTC system clock.
     *
     * @param clock the clock; not null
     * @return this builder
     */
    public PocketSyncDeviceBuilder clock(Clock clock) {
        this.clock = requireNonNull(clock, "clock is null");
        return this;
    }

    /**
     * Wires the device. It does not sync until {@link PocketSyncDevice#start()}.
     *
     * @return the new device, which the caller closes
     * @throws PocketSyncException {@code CONFIG_INVALID} when something required is missing or a capture option
     *         is unknown; {@code PROVIDER_NOT_FOUND} or {@code PROVIDER_AMBIGUOUS} when the capture or the
     *         transport name does not select exactly one provider; {@code SCHEMA_INVALID} when a table is
     *         missing or unsupported
     */
    public PocketSyncDevice build() {
        java.util.Map<String, List<String>> byScope = new java.util.LinkedHashMap<>();
        if (scope != null && !tables.isEmpty()) {
            byScope.put(scope, new ArrayList<>(tables));
        }
        for (String table : tables) {
            String bound = scopedTables.get(table);
            if (bound != null && !bound.equals(scope)) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "table " + table + " is added to scope " + scope
                        + " and to scope " + bound + "; a table syncs in one scope");
            }
        }
        scopedTables.forEach((table, bound) -> {
            List<String> list = byScope.computeIfAbsent(bound, s -> new ArrayList<>());
            if (!list.contains(table)) {
                list.add(table);
            }
        });
        String first = scope != null ? scope : byScope.keySet().stream().findFirst().orElse(null);
        if (dataSource == null || byScope.isEmpty() || first == null || server == null
                || (transport == null && transportName == null)) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID,
                    "a device needs a database, tables, a scope, a server URI and a transport");
        }
        if (!byScope.containsKey(first)) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "scope " + first + " has no tables");
        }
        java.util.Map<String, List<String>> ordered = new java.util.LinkedHashMap<>();
        ordered.put(first, byScope.remove(first));
        ordered.putAll(byScope);
        for (String named : scopeTokens.keySet()) {
            if (!ordered.containsKey(named)) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "a token for scope " + named + ", which has no tables");
            }
        }
        List<String> all = ordered.values().stream().flatMap(List::stream).toList();
        return DeviceWiring.wire(new DeviceWiring.Spec(dataSource, all, first, tokens, server, transport, transportName,
                transportConfig, options, captureName, captureConfig, statusListener, listenerExecutor, clock, ordered,
                scopeTokens));
    }
}
