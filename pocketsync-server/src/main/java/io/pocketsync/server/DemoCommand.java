package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code pocketsync demo}: a self-contained tour on the embedded default (SQLite store, WebSocket),
 * narrated on stdout. Ends by itself with exit code 0.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Starts a server and two devices in a temp directory and narrates live sync, offline",
                "edits, catch-up, a conflict and the final state. Ends by itself."})
public final class DemoCommand implements Callable<Integer> {
    private final Supplier<ShutdownSignal> signals;

    @Spec
    private CommandSpec spec;

    public DemoCommand(Supplier<ShutdownSignal> signals) {
        this.signals = requireNonNull(signals, "signals is null");
    }

    @Override
    public Integer call() throws Exception {
        throw new UnsupportedOperationException("demo command: waiting for PocketSyncDevice and SyncServer");
    }
}
