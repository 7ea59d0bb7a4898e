package io.pocketsync.server;

import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The command's log format and level. The backend reads them when the first logger is made, which is before picocli
 * parses anything, so {@link #configure} reads them from the raw arguments and the environment; the option here is
 * what {@code --help} shows and what rejects a wrong value.
 */
final class LoggingOptions {
    /** The option. */
    static final String FLAG = "--log-format";
    /** The environment variable that sets the format when the flag is absent. */
    static final String FORMAT_VARIABLE = "POCKETSYNC_LOG_FORMAT";
    /** The system property of the level, which the Logback files read (the POCKETSYNC_LOG_LEVEL variable too). */
    static final String LEVEL_PROPERTY = "pocketsync.log.level";
    private static final String CONFIGURATION_PROPERTY = "logback.configurationFile";
    private static final String JSON_CONFIGURATION = "pocketsync-logback-json.xml";

    /** The formats. */
    enum Format { text, json }

    @Option(names = FLAG, paramLabel = "FORMAT", description = "Log format on stderr: text (default) or json (one JSON object"
            + " per line, for a log shipper). Environment: " + FORMAT_VARIABLE)
    Format format;

    /**
     * Picks the Logback file for the format the arguments or the environment ask for, and a quiet level for the demo;
     * an explicit {@code -Dlogback.configurationFile} or {@code -Dpocketsync.log.level} wins. Call before the first
     * logger is made.
     */
    static void configure(String[] args, Map<String, String> environment) {
        String format = environment.getOrDefault(FORMAT_VARIABLE, "text");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(FLAG) && i + 1 < args.length) {
                format = args[i + 1];
            }
            else if (args[i].startsWith(FLAG + "=")) {
                format = args[i].substring(FLAG.length() + 1);
            }
        }
        if (format.trim().equalsIgnoreCase("json") && System.getProperty(CONFIGURATION_PROPERTY) == null) {
            System.setProperty(CONFIGURATION_PROPERTY, JSON_CONFIGURATION);
        }
        if (args.length > 0 && args[0].equals("demo") && System.getProperty(LEVEL_PROPERTY) == null
                && !environment.containsKey("POCKETSYNC_LOG_LEVEL")) {
            // the demo narrates on stdout; engine INFO logs would drown the story
            System.setProperty(LEVEL_PROPERTY, "warn");
        }
    }
}
