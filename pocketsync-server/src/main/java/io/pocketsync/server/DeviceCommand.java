package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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
    private final Supplier<ShutdownSignal> signals;

    @Spec
    private CommandSpec spec;

    @Option(names = "--db", required = true, paramLabel = "FILE", description = "The SQLite file to sync (must exist)")
    Path db;

    @Option(names = "--table", required = true, paramLabel = "NAME", description = "A table to sync (repeatable)")
    List<String> tables;

    @Option(names = "--server", required = true, paramLabel = "URL",
            description = "Server URL: ws:// or wss:// (WebSocket), tcp:// or ssl:// (MQTT broker)")
    URI server;

    @Option(names = "--scope", required = true, paramLabel = "S", description = "The scope (user or dataset) to sync")
    String scope;

    @Option(names = "--token", paramLabel = "T", defaultValue = "${env:POCKETSYNC_TOKEN}",
            description = "Token for the scope (default: the POCKETSYNC_TOKEN environment variable, which keeps it out of `ps`)")
    String token;

    public DeviceCommand(Supplier<ShutdownSignal> signals) {
        this.signals = requireNonNull(signals, "signals is null");
    }

    @Override
    public Integer call() throws Exception {
        throw new UnsupportedOperationException("device command: waiting for PocketSyncDevice");
    }
}
