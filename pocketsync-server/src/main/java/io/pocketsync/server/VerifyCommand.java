package io.pocketsync.server;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.device.DeviceOptions;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.SyncStatus;
import io.pocketsync.device.SyncStatusListener;
import io.pocketsync.device.TableVerification;
import io.pocketsync.device.VerifyReport;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pocketsync verify}: compares a device database with the server by checksum (docs/protocol.md 4) and prints,
 * per tracked table, the device's rows and checksum, whether they match the server's, and with {@code --repair} how
 * many rows were repaired. Exits {@value #MISMATCH} when a table differs and was not repaired.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Compares a device database with the server by checksum, table by table.",
                "Exit status: 0 all match (or were repaired), " + VerifyCommand.MISMATCH + " a table differs and was not repaired,"
                        + " 1 the comparison could not be made."})
public final class VerifyCommand implements Callable<Integer> {
    /** Exit code when a table differs from the server and was not repaired. */
    static final int MISMATCH = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--db", required = true, paramLabel = "FILE", description = "The device's SQLite file (synced before)")
    Path db;

    @Option(names = "--server", required = true, paramLabel = "URL",
            description = "Server URL: ws:// or wss:// (WebSocket), tcp:// or ssl:// (MQTT broker)")
    URI server;

    @Option(names = "--scope", required = true, paramLabel = "S", description = "The scope the database syncs")
    String scope;

    @Option(names = "--token", paramLabel = "T", defaultValue = "${env:POCKETSYNC_TOKEN}",
            description = "Token for the scope (default: the POCKETSYNC_TOKEN environment variable)")
    String token;

    @Option(names = "--repair", description = "Write the server's state into rows that differ (pending local writes stay)")
    boolean repair;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to wait for the server, in seconds (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    private Duration timeout;
    /** Released whenever the device's sync state changes: when a comparison that could not be made is worth another try. */
    private final Semaphore moved = new Semaphore(0);

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(db)) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--db: no SQLite file at " + db.toAbsolutePath());
        }
        if (server.getScheme() == null) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--server: '" + server
                    + "' has no scheme (ws://, wss://, tcp:// or ssl://)");
        }
        if (timeoutSeconds < 1) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--timeout must be at least 1 second");
        }
        timeout = Duration.ofSeconds(timeoutSeconds);
        List<String> tables = trackedTables(db);
        CountDownLatch caughtUp = new CountDownLatch(1);
        SyncStatusListener status = new SyncStatusListener() {
            @Override
            public void caughtUp(long cursor) {
                caughtUp.countDown();
                moved.release();
            }

            @Override
            public void statusChanged(SyncStatus next) {
                moved.release();
            }
        };
        VerifyReport report;
        try (PocketSyncDevice device = PocketSyncDevice.builder().database(db).tables(tables).server(server).scope(scope)
                .token(token == null ? "" : token).transport(server.getScheme()).statusListener(status)
                .options(DeviceOptions.DEFAULTS.withVerifyInterval(Duration.ZERO)).build()) {
            device.start();
            long deadline = System.nanoTime() + timeout.toNanos();
            if (!caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new PocketSyncException(ErrorCode.TIMEOUT, "no catch-up from " + server + " within " + timeout);
            }
            report = verify(device, deadline);
        }
        print(spec.commandLine().getOut(), report);
        return report.mismatch() ? MISMATCH : 0;
    }

    /** Verifies, again while the scope moves under the comparison, until the deadline. */
    private VerifyReport verify(PocketSyncDevice device, long deadline) throws InterruptedException, ExecutionException {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new PocketSyncException(ErrorCode.TIMEOUT, "the comparison with " + server + " could not be made within "
                        + timeout + " (offline, or the scope kept moving)");
            }
            try {
                VerifyReport report = device.verify(repair).get(left, TimeUnit.NANOSECONDS);
                if (report.compared()) {
                    return report;
                }
            }
            catch (TimeoutException e) {
                continue;
            }
            // not compared: the scope moved, or the device is between connections; try again once its state changes
            // (a page applied, a reconnect), at the latest after a second
            moved.drainPermits();
            moved.tryAcquire(Math.min(TimeUnit.SECONDS.toNanos(1), Math.max(0, deadline - System.nanoTime())), TimeUnit.NANOSECONDS);
        }
    }

    static void print(PrintWriter out, VerifyReport report) {
        out.printf(Locale.ROOT, "%-24s %10s  %-16s  %-8s  %s%n", "TABLE", "ROWS", "CHECKSUM", "RESULT", "REPAIRED");
        for (TableVerification table : report.tables()) {
            String result = switch (table.outcome()) {
                case MATCH -> "match";
                case MISMATCH -> "mismatch";
                case REPAIRED -> "repaired";
            };
            out.printf(Locale.ROOT, "%-24s %10d  %016x  %-8s  %d%n", table.table(), table.rows(), table.checksum(), result,
                    table.repairedRows());
        }
        out.printf(Locale.ROOT, "at server sequence %d: %s%n", report.sequence(), report.mismatch() ? "MISMATCH"
                : report.repairedRows() > 0 ? report.repairedRows() + " row(s) repaired" : "all tables match");
        out.flush();
    }

    private static List<String> trackedTables(Path file) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection c = DeviceCommand.dataSource(file).getConnection(); Statement statement = c.createStatement()) {
            try (ResultSet rs = statement.executeQuery("SELECT tbl FROM __pocketsync_version ORDER BY tbl")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
        }
        catch (SQLException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--db: " + file + " is not a PocketSync device database"
                    + " (sync it with `pocketsync device` first): " + e.getMessage());
        }
        if (tables.isEmpty()) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--db: " + file + " tracks no table");
        }
        return tables;
    }
}
