package io.pocketsync.server;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;

/** Runs the CLI in-process with captured output. */
record CliRun(int exitCode, String out, String err) {
    static CliRun run(String... args) {
        return run(new ShutdownSignal(), args);
    }

    static CliRun run(ShutdownSignal signal, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = PocketSyncCli.commandLine(() -> signal, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /**
     * Runs the CLI on a thread of its own, as a sidecar or server that runs until {@code signal} asks it to stop. Not
     * {@code CompletableFuture.supplyAsync}: on a machine of more than two cores that uses the common pool, whose few
     * threads long-running commands can all take, and a later command then never starts.
     */
    static CompletableFuture<CliRun> async(ShutdownSignal signal, String... args) {
        CompletableFuture<CliRun> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(run(signal, args));
            }
            catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "cli-" + args[0]);
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    /** The error lines, without the trailing newline. */
    String[] errLines() {
        return err.strip().split("\\R");
    }
}
