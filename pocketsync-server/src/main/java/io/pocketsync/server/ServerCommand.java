package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.core.config.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pocketsync server}: runs a sync server in the foreground until SIGTERM/SIGINT.
 *
 * <p>Flag values are nullable on purpose: a flag that was not given must not override the config
 * file, so defaults live in {@link ServerSettings}, not in picocli.
 *
 * <p>Settings come from four layers, later wins: the defaults, the {@code --config} file, the {@code POCKETSYNC_*}
 * environment variables ({@link EnvironmentSettings}), the flags.
 */
@Command(name = "server", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Runs a PocketSync server in the foreground; stops cleanly on SIGTERM/SIGINT.",
                "Flags win over POCKETSYNC_* environment variables, which win over --config.",
                "Every flag has a config key (docs/configuration.md), every key a variable",
                "(POCKETSYNC_STORE_SQLITE_PATH for store.sqlite.path; docs/operations.md)."})
public final class ServerCommand implements Callable<Integer> {
    /** Environment variable with static tokens, {@code SCOPE:TOKEN} pairs, comma-separated; {@code --token} wins. */
    static final String ENV_TOKENS = "POCKETSYNC_TOKENS";
    /** Environment variable with the HMAC token secret; {@code --hmac-secret-file} wins. */
    static final String ENV_HMAC_SECRET = "POCKETSYNC_HMAC_SECRET";
    /** Environment variable with the JWT HS256 secret; {@code --jwt-secret-file} wins. */
    static final String ENV_JWT_SECRET = "POCKETSYNC_JWT_SECRET";
    private static final Logger log = LoggerFactory.getLogger(ServerCommand.class);

    private final Supplier<ShutdownSignal> signals;
    /** The process environment the {@code POCKETSYNC_*} settings and secrets are read from; tests give their own. */
    Map<String, String> environmentVariables = System.getenv();

    @Spec
    private CommandSpec spec;

    @Option(names = "--host", paramLabel = "HOST", description = "WebSocket bind address (default: 127.0.0.1). Key: " + ServerSettings.HOST)
    String host;

    @Option(names = "--port", paramLabel = "N", description = "WebSocket port (default: 8787). Key: " + ServerSettings.PORT)
    Integer port;

    @Option(names = "--store", paramLabel = "NAME", description = "Server store: sqlite or redis (default: sqlite). Key: " + ServerSettings.STORE)
    String store;

    @Option(names = "--db", paramLabel = "FILE", description = "SQLite store file (default: ./pocketsync-server.db). Key: " + ServerSettings.SQLITE_PATH)
    Path db;

    @Option(names = "--redis", paramLabel = "URI", description = "Redis URI for --store redis, e.g. redis://127.0.0.1:6379. Key: " + ServerSettings.REDIS_URI)
    String redis;

    @Option(names = "--redis-prefix", paramLabel = "P", description = "Prefix of every Redis key (default: pocketsync). Key: " + ServerSettings.REDIS_PREFIX)
    String redisPrefix;

    @Option(names = "--mqtt", paramLabel = "URI", description = "Also serve devices through this MQTT broker, e.g. tcp://127.0.0.1:1883. Key: " + ServerSettings.MQTT_URI
            + "; adds mqtt to " + ServerSettings.TRANSPORTS)
    String mqtt;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Static tokens: SCOPE:TOKEN pairs, one a line ('#' comments)."
            + " Key: " + ServerSettings.TOKENS_FILE + "; adds static-token to " + ServerSettings.AUTH
            + ". Or set " + ENV_TOKENS + "=SCOPE:TOKEN,...")
    Path tokenFile;

    @Option(names = "--token", paramLabel = "SCOPE:TOKEN", description = "Grants TOKEN access to SCOPE (repeatable). Visible in `ps`:"
            + " prefer --token-file or " + ENV_TOKENS + ". Key: " + ServerSettings.TOKENS + " (comma-separated); adds static-token to "
            + ServerSettings.AUTH)
    List<String> tokens;

    @Option(names = "--hmac-secret-file", paramLabel = "FILE", description = "Accept HMAC-signed tokens made with the secret in FILE. Key: " + ServerSettings.HMAC_SECRET_FILE
            + "; adds hmac to " + ServerSettings.AUTH + ". Or set " + ENV_HMAC_SECRET + "=SECRET")
    Path hmacSecretFile;

    @Option(names = "--jwt-secret-file", paramLabel = "FILE", description = "Accept HS256 JWTs signed with the secret in FILE"
            + " (at least 32 bytes). Key: " + ServerSettings.JWT_SECRET_FILE + "; adds jwt to " + ServerSettings.AUTH + ". Or set "
            + ENV_JWT_SECRET + "=SECRET")
    Path jwtSecretFile;

    @Option(names = "--jwks-file", paramLabel = "FILE", description = "Accept RS256/ES256 JWTs signed by a key of this JWKS file,"
            + " re-read when it changes. Key: " + ServerSettings.JWKS_FILE + "; adds jwt to " + ServerSettings.AUTH)
    Path jwksFile;

    @Option(names = "--jwks-url", paramLabel = "URL", description = "Accept RS256/ES256 JWTs signed by a key an identity provider"
            + " publishes at URL (cached, fetched again for a new key id). Key: " + ServerSettings.JWKS_URL + "; adds jwt to "
            + ServerSettings.AUTH)
    String jwksUrl;

    @Option(names = "--jwt-audience", paramLabel = "AUD", description = "The audience every JWT must name (required with JWTs)."
            + " Key: " + ServerSettings.JWT_AUDIENCE)
    String jwtAudience;

    @Option(names = "--jwt-issuer", paramLabel = "ISS", description = "The issuer every JWT must name (default: any). Key: "
            + ServerSettings.JWT_ISSUER)
    String jwtIssuer;

    @Option(names = "--allow-anonymous", description = "Accept devices without credentials when no authenticator is configured. Key: " + ServerSettings.ALLOW_ANONYMOUS)
    Boolean allowAnonymous;

    @Option(names = "--resolver", paramLabel = "NAME|TABLE=NAME", description = "Conflict resolver: default for all tables, or for one table (repeatable; default: last-write-wins). Keys: " + ServerSettings.RESOLVER_DEFAULT + ", " + ServerSettings.RESOLVER_TABLE_PREFIX + "<table>")
    List<String> resolvers;

    @Option(names = "--metrics-port", paramLabel = "N", description = "Serve /health/live, /health/ready and Prometheus /metrics on port N. Key: " + ServerSettings.METRICS_PORT)
    Integer metricsPort;

    @Option(names = "--metrics-bind", paramLabel = "ADDRESS", description = "Address of the metrics and health endpoint (default: 127.0.0.1). Key: " + ServerSettings.METRICS_BIND)
    String metricsBind;

    @picocli.CommandLine.Mixin
    LoggingOptions logging;

    @Option(names = "--admin-port", paramLabel = "N", description = "Serve the admin API and web console on port N (off by default; needs a token). Key: " + AdminSettings.PORT)
    Integer adminPort;

    @Option(names = "--admin-bind", paramLabel = "ADDRESS", description = "Address of the admin API (default: 127.0.0.1). Key: " + AdminSettings.BIND)
    String adminBind;

    @Option(names = "--admin-token-file", paramLabel = "FILE", description = "File holding the admin token (else env " + AdminSettings.TOKEN_VARIABLE + "). Key: " + AdminSettings.TOKEN_FILE)
    Path adminTokenFile;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties or YAML file with the same settings under their keys")
    Path config;

    /**
     * A command that stops when the signal it gets fires.
     *
     * @param signals supplies the shutdown signal for one run, asked for when the command starts; not null
     */
    public ServerCommand(Supplier<ShutdownSignal> signals) {
        this.signals = requireNonNull(signals, "signals is null");
    }

    /**
     * Runs until a stop is requested, or until a part stops serving for good ({@link FatalExit}): then the server
     * closes and the exit code is {@value CliErrorHandler#FAILURE}, so a supervisor restarts it.
     */
    @Override
    public Integer call() throws Exception {
        ServerSettings settings = settings();
        List<String> fromEnvironment = EnvironmentSettings.settingVariables(environmentVariables);
        if (!fromEnvironment.isEmpty()) {
            log.info("Settings from environment variables: {}", String.join(", ", fromEnvironment));
        }
        if (tokens != null && !tokens.isEmpty()) {
            log.warn("--token puts a secret on the command line, where `ps`, /proc and shell history show it to others;"
                    + " use --token-file FILE or the {} environment variable instead", ENV_TOKENS);
        }
        ShutdownSignal signal = signals.get();
        FatalExit fatal = new FatalExit(signal);
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler(fatal);
        try (ServerRuntime runtime = ServerRuntime.start(settings, fatal, environmentVariables::get)) {
            signal.awaitStopRequest();
        }
        finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
            signal.markStopped();
        }
        if (fatal.failure().isPresent()) {
            spec.commandLine().getErr().println("pocketsync: stopped after a fatal error in " + CliErrorHandler.oneLine(fatal.failure().get()));
            spec.commandLine().getErr().flush();
            return CliErrorHandler.FAILURE;
        }
        return 0;
    }

    /**
     * The effective settings: defaults, then the config file, then the {@code POCKETSYNC_*} environment variables,
     * then the flags given. The environment ranks above the file so that one installation can adjust a shipped file
     * (systemd's {@code EnvironmentFile=}), and below the flags, which are typed for one run. Like the file, the
     * environment names no plugin by itself: only flags add to the selection keys.
     */
    ServerSettings settings() {
        Settings fromFile = config == null ? Settings.empty() : Settings.load(config);
        Settings fromEnvironment = EnvironmentSettings.read(environmentVariables, ServerSettings.schema());
        return ServerSettings.of(fromFile.withOverrides(fromEnvironment.asMap()), flagValues());
    }

    /**
     * The keys set by flags actually given on the command line, and by the secrets' environment variables when their
     * flag is not given (they rank with the flags: above the config file).
     */
    Map<String, String> flagValues() {
        Map<String, String> values = new LinkedHashMap<>();
        putIfGiven(values, ServerSettings.TOKENS_FILE, tokenFile);
        String envTokens = environmentVariables.get(ENV_TOKENS);
        if (envTokens != null && !envTokens.isBlank() && (tokens == null || tokens.isEmpty())) {
            values.put(ServerSettings.TOKENS, envTokens.strip());
        }
        String envSecret = environmentVariables.get(ENV_HMAC_SECRET);
        if (envSecret != null && !envSecret.isBlank() && hmacSecretFile == null) {
            values.put(ServerSettings.HMAC_SECRET, envSecret.strip());
        }
        String envJwtSecret = environmentVariables.get(ENV_JWT_SECRET);
        if (envJwtSecret != null && !envJwtSecret.isBlank() && jwtSecretFile == null) {
            values.put(ServerSettings.JWT_SECRET, envJwtSecret.strip());
        }
        putIfGiven(values, ServerSettings.JWT_SECRET_FILE, jwtSecretFile);
        putIfGiven(values, ServerSettings.JWKS_FILE, jwksFile);
        putIfGiven(values, ServerSettings.JWKS_URL, jwksUrl);
        putIfGiven(values, ServerSettings.JWT_AUDIENCE, jwtAudience);
        putIfGiven(values, ServerSettings.JWT_ISSUER, jwtIssuer);
        putIfGiven(values, ServerSettings.HOST, host);
        putIfGiven(values, ServerSettings.PORT, port);
        putIfGiven(values, ServerSettings.STORE, store);
        putIfGiven(values, ServerSettings.SQLITE_PATH, db);
        putIfGiven(values, ServerSettings.REDIS_URI, redis);
        putIfGiven(values, ServerSettings.REDIS_PREFIX, redisPrefix);
        putIfGiven(values, ServerSettings.MQTT_URI, mqtt);
        putIfGiven(values, ServerSettings.HMAC_SECRET_FILE, hmacSecretFile);
        putIfGiven(values, ServerSettings.ALLOW_ANONYMOUS, allowAnonymous);
        putIfGiven(values, ServerSettings.METRICS_PORT, metricsPort);
        putIfGiven(values, ServerSettings.METRICS_BIND, metricsBind);
        putIfGiven(values, AdminSettings.PORT, adminPort);
        putIfGiven(values, AdminSettings.BIND, adminBind);
        putIfGiven(values, AdminSettings.TOKEN_FILE, adminTokenFile);
        if (tokens != null && !tokens.isEmpty()) {
            for (String token : tokens) {
                int colon = token.indexOf(':');
                if (colon <= 0 || colon == token.length() - 1 || token.contains(",")) {
                    // Never echo the value: it is a secret.
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "invalid value for option '--token': expected SCOPE:TOKEN");
                }
            }
            values.put(ServerSettings.TOKENS, String.join(",", tokens));
        }
        if (resolvers != null) {
            List<String> defaults = new ArrayList<>();
            for (String resolver : resolvers) {
                int equals = resolver.indexOf('=');
                if (equals < 0) {
                    defaults.add(resolver);
                }
                else if (equals == 0 || equals == resolver.length() - 1) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "invalid value for option '--resolver': '" + resolver + "' (expected NAME or TABLE=NAME)");
                }
                else {
                    values.put(ServerSettings.RESOLVER_TABLE_PREFIX + resolver.substring(0, equals).trim(),
                            resolver.substring(equals + 1).trim());
                }
            }
            if (defaults.size() > 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "option '--resolver' without TABLE= given more than once: " + String.join(", ", defaults));
            }
            if (!defaults.isEmpty()) {
                values.put(ServerSettings.RESOLVER_DEFAULT, defaults.get(0));
            }
        }
        return values;
    }

    private static void putIfGiven(Map<String, String> values, String key, Object value) {
        if (value != null) {
            values.put(key, value.toString());
        }
    }
}
