package io.pocketsync.server;

import java.io.PrintWriter;
import java.io.StringWriter;

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

    /** The error lines, without the trailing newline. */
    String[] errLines() {
        return err.strip().split("\\R");
    }
}
