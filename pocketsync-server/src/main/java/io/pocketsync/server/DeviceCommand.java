package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.PocketSyncDeviceBuilder;
import io.pocketsync.device.capture.CaptureOptions;
import io.pocketsync.device.capture.SqliteTriggerCapture;
import io.pocketsync.device.capture.SqliteTriggerCaptureProvider;
import io.pocketsync.device.capture.Uninstaller;
import io.pocketsync.core.config.Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pocketsync device}: syncs an existing SQLite file as a sidecar process. Whatever program
 * writes the file (any language, the {@code sqlite3} shell) is synced, because capture lives in
 * triggers inside the file.
 */
@Command(name = "device", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Syncs an existing SQLite file with a server, as a sidecar process.",
                "Keeps running (and retrying while the server is unreachable) until SIGTERM/SIGINT."})
public final class DeviceCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(DeviceCommand.class);
    /** Environment variable with the device's token, used when neither --token nor --token-file is given. */
    static final String ENV_TOKEN = "POCKETSYNC_TOKEN";
    /** How long a stop waits for pending changes to be acknowledged before closing anyway. */
    static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(5);
    /** How often the sidecar checks that its path still names the file it opened. */
    static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);
    /** How long a new file at the path may take to get the tracked tables before the sidecar installs on it anyway. */
    static final Duration NEW_FILE_SETTLE = Duration.ofSeconds(10);

    private final Supplier<ShutdownSignal> signals;

    @Option(names = "--db", paramLabel = "FILE", description = "The SQLite file to sync (must exist). Key: " + DeviceSettings.DB)
    Path db;

    @Option(names = "--table", paramLabel = "NAME[@SCOPE]", description = "A table to sync (repeatable; required unless --uninstall),"
            + " in --scope, or in SCOPE with NAME@SCOPE: a device of several scopes keeps one connection with a session per"
            + " scope, e.g. --table todos@alice --table projects@team-42. Key: " + DeviceSettings.TABLES + " (comma-separated)")
    List<String> tables;

    @Option(names = "--server", paramLabel = "URL",
            description = "Server URL: ws:// or wss:// (WebSocket, e.g. ws://127.0.0.1:8787/sync), tcp:// or ssl:// (MQTT broker)."
                    + " Key: " + DeviceSettings.SERVER)
    String server;

    @Option(names = "--scope", paramLabel = "S", description = "The scope (user or dataset) to sync (required unless --uninstall)."
            + " Key: " + DeviceSettings.SCOPE)
    String scope;

    @Option(names = "--uninstall", description = "Remove PocketSync from --db (its triggers, indexes, __pocketsync_* tables and"
            + " the ps_global_id columns), keep the app's rows and columns, and exit")
    boolean uninstall;

    @Option(names = "--drop-column", paramLabel = "TABLE.COLUMN", description = "Drop a column of a synced table (--table"
            + " lists the synced tables) together with its capture triggers, in one transaction, and exit; SQLite refuses a"
            + " plain DROP COLUMN of a column the triggers name. Works with the sidecar running")
    String dropColumn;

    @Option(names = "--resync", description = "Pull the server's full state again, this device's own rows included, then keep"
            + " syncing: local rows the server no longer has are removed, pending local writes are kept and pushed")
    boolean resync;

    @Option(names = "--journal-mode", paramLabel = "wal|keep", defaultValue = "wal", description = "The file's journal mode:"
            + " wal switches a file in another mode to WAL once, and logs it (default); keep leaves the mode the app set"
            + " (in a rollback-journal mode the app's reads and the sidecar's writes then wait for each other)")
    String journalMode;

    @Option(names = "--busy-timeout", paramLabel = "DURATION", defaultValue = "10s", description = "How long the sidecar"
            + " waits for a write lock another program holds (a long write transaction) before it tries again later"
            + " (default: 10s)")
    String busyTimeout;

    @Option(names = "--token", paramLabel = "[SCOPE=]T",
            description = "Token for the scope (for every scope of a device of several: a JWT granting them all), or with"
                    + " SCOPE=T the token of one scope (repeatable: a static token opens one scope). Better: the"
                    + " POCKETSYNC_TOKEN environment variable or the --config file (keys " + DeviceSettings.TOKEN + ", "
                    + DeviceSettings.TOKEN + ".SCOPE), which keep it out of `ps`")
    List<String> token;

    @picocli.CommandLine.Mixin
    LoggingOptions logging;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties or YAML file with the device's keys (device.*) and"
            + " the transport's (transport.mqtt.username, transport.mqtt.password, transport.mqtt.client-id,"
            + " transport.websocket.truststore-path, ...); flags win over it, see docs/configuration.md")
    Path config;

    @Option(names = "--progress-interval", paramLabel = "DURATION", description = "How often a long install, push or catch-up"
            + " logs its progress (default: 5s). Key: " + DeviceSettings.PROGRESS_INTERVAL)
    String progressInterval;

    /** The merged settings of this run: the --config file, the environment, the flags. */
    private DeviceSettings settings;

    @Option(names = "--token-file", paramLabel = "[SCOPE=]FILE", description = "File holding the token (for every scope), or"
            + " with SCOPE=FILE one scope's (repeatable), read again at every connection, so a renewed token is picked up"
            + " (else: --token, the " + ENV_TOKEN + " environment variable or the --config file)")
    List<String> tokenFile;

    /**
     * A command that stops when the signal it gets fires.
     *
     * @param signals supplies the shutdown signal for one run, asked for when the command starts; not null
     */
    public DeviceCommand(Supplier<ShutdownSignal> signals) {
        this.signals = requireNonNull(signals, "signals is null");
    }

    @Override
    public Integer call() throws Exception {
        settings = DeviceSettings.of(config == null ? Settings.empty() : Settings.load(config), System.getenv(), flagValues());
        db = settings.db().orElseThrow(() -> new PocketSyncException(ErrorCode.CONFIG_INVALID,
                "missing required option: --db (or " + DeviceSettings.DB + " in the --config file)"));
        tables = settings.tables();
        scope = settings.scope().orElse(null);
        URI serverUri = settings.server().orElse(null);
        if (dropColumn != null) {
            return dropColumn();
        }
        if (!uninstall && (tables.isEmpty() || serverUri == null
                || (scope == null && !tables.stream().allMatch(table -> table.contains("@"))))) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "missing required options: --table, --server and --scope"
                    + " (all three are needed to sync; only --db with --uninstall)");
        }
        if (!Files.isRegularFile(db)) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--db: no SQLite file at " + db.toAbsolutePath()
                    + " (the sidecar syncs an existing database)");
        }
        if (uninstall) {
            Uninstaller.Report report = Uninstaller.uninstall(dataSource(db));
            log.info("PocketSync removed from {}: {} triggers, {} tables, ps_global_id dropped from {}", db, report.triggers(),
                    report.tables(), report.idColumns());
            return 0;
        }
        SidecarTables bound = SidecarTables.parse(tables, scope);
        SidecarTokens tokens = tokens(bound.scopes());
        tables = bound.names(); // the file's tables, which a replaced file must hold again
        ShutdownSignal signal = signals.get();
        try {
            boolean resyncFirst = resync;
            while (true) {
                DatabaseFileWatch watch = new DatabaseFileWatch(db);
                DatabaseFileWatch.State state = syncUntilStopOrReplaced(signal, watch, serverUri, resyncFirst, bound, tokens);
                resyncFirst = false;
                if (state == DatabaseFileWatch.State.SAME || !awaitNewFile(signal)) {
                    break;
                }
                log.warn("Syncing the new file at {} from now on (file identity {}): a file PocketSync never ran on, or a copy of"
                        + " another, syncs as a new device", db, new DatabaseFileWatch(db).opened());
            }
        }
        finally {
            log.info("Stopped");
            signal.markStopped();
        }
        return 0;
    }

    /**
     * Syncs the file until a stop is requested (then SAME, after flushing) or the path names another file or none
     * (then the device is closed at once: the file it holds is deleted, and SQLite refuses writes to it).
     */
    private DatabaseFileWatch.State syncUntilStopOrReplaced(ShutdownSignal signal, DatabaseFileWatch watch, URI server,
            boolean resyncFirst, SidecarTables bound, SidecarTokens tokens) throws InterruptedException {
        SidecarStatusLog status = new SidecarStatusLog();
        String transport = DeviceSettings.transportName(server);
        try (PocketSyncDevice device = tokens.applyTo(bound.applyTo(PocketSyncDevice.builder()))
                .database(db)
                .server(server)
                .transport(transport, settings.transport(transport))
                .capture(SqliteTriggerCaptureProvider.NAME, captureConfig())
                .options(settings.options())
                .statusListener(status)
                .build();
                SyncProgress progress = new SyncProgress(settings.progressInterval(), () -> device.status().pendingCount())) {
            status.progress(progress);
            status.device(device);
            device.start();
            if (resyncFirst) {
                // stored in the file: a resync interrupted by a stop goes on at the next start
                device.resync();
            }
            log.info("Syncing {} (tables {}) as device {} in scope{} {} with {}", db, bound, device.deviceId(),
                    device.scopes().size() == 1 ? "" : "s", String.join(", ", device.scopes()), server);
            while (!signal.awaitStopRequest(WATCH_INTERVAL)) {
                DatabaseFileWatch.State state = watch.check();
                if (state != DatabaseFileWatch.State.SAME) {
                    log.warn("{}: the database file was {} while syncing (file identity {} is now {}); the old file is closed, and"
                            + " what it still held unsynced is gone with it", ErrorCode.DATABASE_REPLACED, state
                            == DatabaseFileWatch.State.MISSING ? "deleted" : "replaced by another file", watch.opened(),
                            watch.current());
                    return state;
                }
            }
            flush(device, status.connected);
            return DatabaseFileWatch.State.SAME;
        }
    }

    /**
     * Where the tokens come from: for every scope --token-file FILE (read at every HELLO), else --token, the environment
     * or the config file; for one scope --token-file SCOPE=FILE, else --token SCOPE=T or device.token.SCOPE.
     */
    private SidecarTokens tokens(List<String> scopes) {
        Supplier<String> every = null;
        Map<String, Supplier<String>> perScope = new java.util.LinkedHashMap<>();
        for (String value : tokenFile == null ? List.<String>of() : tokenFile) {
            Map.Entry<String, String> split = SidecarTokens.split(value);
            TokenFile file = new TokenFile(Path.of(split.getValue()));
            if (split.getKey() == null ? every != null : perScope.put(split.getKey(), file) != null) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--token-file given twice for "
                        + (split.getKey() == null ? "every scope" : "scope " + split.getKey()));
            }
            every = split.getKey() == null ? file : every;
        }
        if (token != null) {
            log.warn("--token puts a secret on the command line, where `ps`, /proc and shell history show it to others;"
                    + " use --token-file FILE or the {} environment variable instead", ENV_TOKEN);
        }
        if (every != null && token != null && token.stream().anyMatch(value -> SidecarTokens.split(value).getKey() == null)) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "give one of --token and --token-file");
        }
        for (Map.Entry<String, String> own : settings.scopeTokens().entrySet()) {
            if (perScope.containsKey(own.getKey())) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "scope " + own.getKey() + " has a --token-file and a"
                        + " token (--token " + own.getKey() + "=..., " + DeviceSettings.SCOPE_TOKEN_PREFIX + own.getKey()
                        + "): give one");
            }
            String value = own.getValue();
            perScope.put(own.getKey(), () -> value);
        }
        if (every == null && settings.hasToken()) {
            // the flag, else the environment, else the --config file (DeviceSettings)
            String value = settings.token();
            every = () -> value;
        }
        if (every == null && perScope.isEmpty()) {
            every = () -> ""; // anonymous, as before tokens per scope
        }
        return SidecarTokens.select(every, perScope, scopes);
    }

    /** Waits until a file with the tracked tables is at the path again; false when a stop was requested first. */
    private boolean awaitNewFile(ShutdownSignal signal) throws InterruptedException {
        boolean told = false;
        long settleUntil = 0;
        while (!signal.awaitStopRequest(WATCH_INTERVAL)) {
            if (!Files.isRegularFile(db)) {
                if (!told) {
                    log.warn("No file at {}; waiting for it to come back", db);
                    told = true;
                }
                continue;
            }
            // A file being created may not hold the app's tables yet; wait a little for them, then let installing say
            // what is missing.
            settleUntil = settleUntil == 0 ? System.nanoTime() + NEW_FILE_SETTLE.toNanos() : settleUntil;
            if (hasTables() || System.nanoTime() - settleUntil > 0) {
                return true;
            }
        }
        return false;
    }

    private boolean hasTables() {
        try (java.sql.Connection c = dataSource(db).getConnection();
                java.sql.PreparedStatement query = c.prepareStatement(
                        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?")) {
            for (String table : tables) {
                query.setString(1, table);
                try (java.sql.ResultSet rs = query.executeQuery()) {
                    if (!rs.next() || rs.getInt(1) == 0) {
                        return false;
                    }
                }
            }
            return true;
        }
        catch (java.sql.SQLException e) {
            return false; // busy or half-written: look again
        }
    }

    /** {@code --drop-column}: the column goes with the triggers that name it, which come back without it. */
    private int dropColumn() {
        int dot = dropColumn.indexOf('.');
        if (dot <= 0 || dot == dropColumn.length() - 1 || tables == null || tables.isEmpty() || !Files.isRegularFile(db)) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--drop-column TABLE.COLUMN needs an existing --db and the"
                    + " synced tables as --table");
        }
        String table = dropColumn.substring(0, dot);
        String column = dropColumn.substring(dot + 1);
        List<String> names = tables.stream().map(name -> name.contains("@") ? name.substring(0, name.indexOf('@')) : name)
                .toList();
        if (!names.contains(table)) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--drop-column: " + table + " is not one of the --table names");
        }
        try (SqliteTriggerCapture capture = new SqliteTriggerCapture(dataSource(db), java.time.Clock.systemUTC(),
                CaptureOptions.from(captureConfig()))) {
            capture.install(names);
            capture.dropColumn(table, column);
        }
        log.info("Column {} dropped from {} in {}; its capture triggers were made again without it", column, table, db);
        return 0;
    }

    /**
     * {@code --journal-mode}, {@code --busy-timeout} and the progress interval as the capture's settings (checked when the
     * capture reads them).
     */
    private PluginConfig captureConfig() {
        Map<String, String> keys = new java.util.LinkedHashMap<>(Map.of("journal-mode", journalMode, "busy-timeout", busyTimeout));
        if (settings != null) {
            keys.put("progress-interval", settings.progressInterval().toMillis() + "ms");
        }
        return PluginConfig.of("capture." + SqliteTriggerCaptureProvider.NAME, keys);
    }

    /** A data source on an existing device database, as the dead-letter and uninstall commands open it. */
    static javax.sql.DataSource dataSource(Path file) {
        org.sqlite.SQLiteDataSource source = new org.sqlite.SQLiteDataSource();
        source.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        return source;
    }

    /** Pushes what is pending, waiting a little for the ACKs; whatever stays pending is pushed next start. */
    private static void flush(PocketSyncDevice device, boolean connected) throws InterruptedException {
        long pending = device.pendingCount();
        if (pending == 0) {
            return;
        }
        if (!connected) {
            log.info("Stopping while offline: {} change(s) stay in the database and are pushed on the next start", pending);
            return;
        }
        log.info("Stopping: pushing {} pending change(s)", pending);
        device.syncNow();
        long deadline = System.nanoTime() + FLUSH_TIMEOUT.toNanos();
        while (device.pendingCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        long left = device.pendingCount();
        if (left > 0) {
            log.info("{} change(s) still pending; they stay in the database and are pushed on the next start", left);
        }
    }

    /** The keys of the flags given (a flag not given leaves the file's value). */
    private java.util.Map<String, String> flagValues() {
        java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
        if (db != null) {
            values.put(DeviceSettings.DB, db.toString());
        }
        if (tables != null && !tables.isEmpty()) {
            values.put(DeviceSettings.TABLES, String.join(",", tables));
        }
        if (server != null) {
            values.put(DeviceSettings.SERVER, server);
        }
        if (scope != null) {
            values.put(DeviceSettings.SCOPE, scope);
        }
        for (String value : token == null ? List.<String>of() : token) {
            Map.Entry<String, String> split = SidecarTokens.split(value);
            String key = split.getKey() == null ? DeviceSettings.TOKEN : DeviceSettings.SCOPE_TOKEN_PREFIX + split.getKey();
            if (values.put(key, split.getValue()) != null) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--token given twice for "
                        + (split.getKey() == null ? "every scope" : "scope " + split.getKey()));
            }
        }
        if (progressInterval != null) {
            values.put(DeviceSettings.PROGRESS_INTERVAL, progressInterval);
        }
        return values;
    }
}
