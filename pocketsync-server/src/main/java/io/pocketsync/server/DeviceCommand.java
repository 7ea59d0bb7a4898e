package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.device.CatchUpProgress;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.capture.Uninstaller;
import io.pocketsync.device.SyncStatusListener;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
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
    /** How long a stop waits for pending changes to be acknowledged before closing anyway. */
    static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(5);

    private final Supplier<ShutdownSignal> signals;

    @Option(names = "--db", required = true, paramLabel = "FILE", description = "The SQLite file to sync (must exist)")
    Path db;

    @Option(names = "--table", paramLabel = "NAME", description = "A table to sync (repeatable; required unless --uninstall)")
    List<String> tables;

    @Option(names = "--server", paramLabel = "URL",
            description = "Server URL: ws:// or wss:// (WebSocket, e.g. ws://127.0.0.1:8787/sync), tcp:// or ssl:// (MQTT broker)")
    URI server;

    @Option(names = "--scope", paramLabel = "S", description = "The scope (user or dataset) to sync (required unless --uninstall)")
    String scope;

    @Option(names = "--uninstall", description = "Remove PocketSync from --db (its triggers, indexes, __pocketsync_* tables and"
            + " the ps_global_id columns), keep the app's rows and columns, and exit")
    boolean uninstall;

    @Option(names = "--resync", description = "Pull the server's full state again, this device's own rows included, then keep"
            + " syncing: local rows the server no longer has are removed, pending local writes are kept and pushed")
    boolean resync;

    @Option(names = "--token", paramLabel = "T", defaultValue = "${env:POCKETSYNC_TOKEN}",
            description = "Token for the scope (default: the POCKETSYNC_TOKEN environment variable, which keeps it out of `ps`)")
    String token;

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
        if (!uninstall && (tables == null || tables.isEmpty() || server == null || scope == null)) {
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
        if (server.getScheme() == null) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--server: '" + server
                    + "' has no scheme (ws://, wss://, tcp:// or ssl://)");
        }
        ShutdownSignal signal = signals.get();
        LoggingStatusListener status = new LoggingStatusListener();
        try (PocketSyncDevice device = PocketSyncDevice.builder()
                .database(db)
                .tables(tables)
                .server(server)
                .scope(scope)
                .token(token == null ? "" : token)
                .transport(server.getScheme())
                .statusListener(status)
                .build()) {
            device.start();
            if (resync) {
                // stored in the file: a resync interrupted by a stop goes on at the next start
                device.resync();
            }
            log.info("Syncing {} (tables {}) as device {} in scope {} with {}", db, tables, device.deviceId(), scope,
                    server);
            signal.awaitStopRequest();
            flush(device, status.connected);
        }
        finally {
            log.info("Stopped");
            signal.markStopped();
        }
        return 0;
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

    /** Status in the log: an operator watching a sidecar sees connects, outages and catch-up. */
    private static final class LoggingStatusListener extends SyncStatusListener {
        volatile boolean connected;

        @Override
        public void connected() {
            connected = true;
            log.info("Connected");
        }

        @Override
        public void disconnected(ErrorCode code, String reason) {
            connected = false;
            log.warn("Disconnected ({}: {}); retrying with backoff, local writes keep queueing", code, reason);
        }

        @Override
        public void pushing(int changes, long pending) {
            log.debug("Pushing {} of {} pending change(s)", changes, pending);
        }

        @Override
        public void catchingUp(CatchUpProgress progress) {
            log.info("Catching up: {} of ~{} rows ({} batches){}", progress.rowsDone(), progress.estimatedTotalRows(),
                    progress.batchesDone(), progress.snapshot() ? " [full resync]" : "");
        }

        @Override
        public void caughtUp(long cursor) {
            log.info("Up to date at server sequence {}", cursor);
        }

        @Override
        public void error(ErrorCode code, String message) {
            log.warn("{}: {}", code, message);
        }
    }
}
