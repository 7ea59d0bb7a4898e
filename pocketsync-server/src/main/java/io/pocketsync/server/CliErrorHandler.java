package io.pocketsync.server;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns every failure into ONE line on stderr, prefixed {@code pocketsync:}, and an exit code:
 * {@value #USAGE} for a bad flag or bad configuration (the line names the problem and the nearest
 * valid option, command or key), {@value #FAILURE} for anything that went wrong while running.
 * Scripts and service managers read the exit code; people read the line. Stack traces go to the
 * debug log only.
 *
 * <p>Thread-safe; stateless.
 */
final class CliErrorHandler implements CommandLine.IParameterExceptionHandler, CommandLine.IExecutionExceptionHandler {
    /** Exit code for a bad command line or configuration. */
    static final int USAGE = 2;
    /** Exit code for a failure while running. */
    static final int FAILURE = 1;

    private static final Logger log = LoggerFactory.getLogger(CliErrorHandler.class);

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        ex.getCommandLine().getErr().println("pocketsync: " + describe(ex));
        ex.getCommandLine().getErr().flush();
        return USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        if (ex instanceof ParameterException parameterException) {
            return handleParseException(parameterException, parseResult.originalArgs().toArray(String[]::new));
        }
        log.debug("Command failed", ex);
        if (ex instanceof PocketSyncException pocketSync) {
            err.println("pocketsync: " + oneLine(pocketSync.getMessage()) + " [" + pocketSync.code() + "]");
            err.flush();
            return isUsage(pocketSync.code()) ? USAGE : FAILURE;
        }
        err.println("pocketsync: " + oneLine(ex.getClass().getSimpleName() + ": " + ex.getMessage()));
        err.flush();
        return FAILURE;
    }

    private static boolean isUsage(ErrorCode code) {
        return code == ErrorCode.CONFIG_INVALID || code == ErrorCode.PROVIDER_NOT_FOUND
                || code == ErrorCode.PROVIDER_AMBIGUOUS;
    }

    static String describe(ParameterException ex) {
        if (ex instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String argument = unmatched.getUnmatched().get(0);
            CommandLine.Model.CommandSpec spec = ex.getCommandLine().getCommandSpec();
            if (argument.startsWith("-")) {
                String name = argument.contains("=") ? argument.substring(0, argument.indexOf('=')) : argument;
                return "unknown option '" + name + "'" + suggestion(name, spec.optionsMap().keySet());
            }
            if (!spec.subcommands().isEmpty()) {
                return "unknown command '" + argument + "'" + suggestion(argument, spec.subcommands().keySet());
            }
            return "unexpected argument '" + argument + "'";
        }
        String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        return oneLine(Character.toLowerCase(message.charAt(0)) + message.substring(1));
    }

    /** {@code ; did you mean 'x'?} for the nearest candidate, or {@code ; expected one of ...} when none is close. */
    static String suggestion(String given, Collection<String> candidates) {
        String nearest = null;
        int best = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = PluginConfig.editDistance(given, candidate);
            if (distance < best) {
                best = distance;
                nearest = candidate;
            }
        }
        if (nearest == null) {
            return "";
        }
        if (best <= Math.max(2, given.length() / 2)) {
            return "; did you mean '" + nearest + "'?";
        }
        List<String> sorted = candidates.stream().filter(c -> !c.startsWith("-") || c.startsWith("--")).sorted().toList();
        return "; expected one of " + String.join(", ", sorted);
    }

    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
