package io.pocketsync.server;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code pocketsync} command: {@code server}, {@code device} and {@code demo}.
 *
 * <p>Exit codes: 0 success, 1 failure while running, 2 bad flag or configuration (one line on stderr
 * naming the problem and the nearest valid option or key).
 */
@Command(name = "pocketsync",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Keeps SQLite databases on many devices in sync through a server.",
        subcommands = {ServerCommand.class, DeviceCommand.class, DeadLettersCommand.class, VerifyCommand.class, DemoCommand.class, TokenCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run 'pocketsync COMMAND --help' for the options of a command."})
public final class PocketSyncCli implements Runnable {
    /** How long a SIGTERM/SIGINT waits for a command to close before the JVM exits anyway. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);
    /** Held so the level set on it stays: java.util.logging keeps loggers only weakly. */
    private static final java.util.logging.Logger PAHO_LOGGER = java.util.logging.Logger.getLogger("org.eclipse.paho");

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing command (server, device or demo); see 'pocketsync --help'");
    }

    /**
     * Runs the command line and exits the JVM with its exit code.
     *
     * @param args the command ({@code server}, {@code device} or {@code demo}) and its options
     */
    public static void main(String[] args) {
        // before the first logger is created: the format and level are read then
        LoggingOptions.configure(args, System.getenv());
        capLibraryLogging();
        int code = commandLine(() -> ShutdownSignal.onJvmShutdown(SHUTDOWN_GRACE)).execute(args);
        System.exit(code);
    }

    /**
     * Keeps the transport libraries' traces out of the log whatever level is asked for: Java-WebSocket logs every frame
     * it reads and writes at TRACE, HELLO and its token included, and Paho traces its packets through java.util.logging
     * at FINE. Both are held at INFO (a quieter level asked for stays): Java-WebSocket by the command's Logback files,
     * Paho here. Must run before the first logger is created.
     */
    static void capLibraryLogging() {
        // Java-WebSocket's logger is held at INFO by the command's Logback files (logback.xml, the JSON one)
        java.util.logging.Level pahoLevel = PAHO_LOGGER.getLevel();
        if (pahoLevel == null || pahoLevel.intValue() < java.util.logging.Level.INFO.intValue()) {
            PAHO_LOGGER.setLevel(java.util.logging.Level.INFO);
        }
    }

    /**
     * A command line whose foreground commands stop when the signal from {@code signals} fires.
     * Tests pass their own signal and call {@link ShutdownSignal#requestStop()}.
     *
     * @param signals supplies one shutdown signal per command run; not null
     * @return a configured picocli command line, not yet executed
     */
    public static CommandLine commandLine(Supplier<ShutdownSignal> signals) {
        CommandLine commandLine = new CommandLine(new PocketSyncCli(), new CommandFactory(signals));
        CliErrorHandler errors = new CliErrorHandler();
        commandLine.setParameterExceptionHandler(errors);
        commandLine.setExecutionExceptionHandler(errors);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        return commandLine;
    }

    /**
     * Like {@link #commandLine(Supplier)} with output captured, for tests and embedding.
     *
     * @param signals supplies one shutdown signal per command run; not null
     * @param out receives the commands' standard output (help, demo narration)
     * @param err receives usage errors and failure messages
     * @return a configured picocli command line, not yet executed
     */
    public static CommandLine commandLine(Supplier<ShutdownSignal> signals, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = commandLine(signals);
        commandLine.setOut(out);
        commandLine.setErr(err);
        return commandLine;
    }

    /** Hands the shutdown signal source to the commands that run in the foreground. */
    private record CommandFactory(Supplier<ShutdownSignal> signals) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (type == ServerCommand.class) {
                return type.cast(new ServerCommand(signals));
            }
            if (type == DeviceCommand.class) {
                return type.cast(new DeviceCommand(signals));
            }
            if (type == DemoCommand.class) {
                return type.cast(new DemoCommand(signals));
            }
            return CommandLine.defaultFactory().create(type);
        }
    }
}
