package io.pocketsync.server;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.server.engine.auth.HmacTokens;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pocketsync token}: issues an HMAC-signed device token that a server started with the same
 * {@code --hmac-secret-file} (or {@code POCKETSYNC_HMAC_SECRET}) accepts. Prints only the token, so scripts can capture it.
 */
@Command(name = "token", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = "Issues a signed token for a scope, accepted by 'pocketsync server --hmac-secret-file' with the same file.")
public final class TokenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--hmac-secret-file", paramLabel = "FILE",
            description = "The server's secret (the file's content without surrounding whitespace; at least 16 bytes)."
                    + " Default: the " + ServerCommand.ENV_HMAC_SECRET + " environment variable")
    Path secretFile;

    /** The process environment; tests give their own. */
    Function<String, String> environment = System::getenv;

    @Option(names = "--scope", required = true, paramLabel = "S", description = "The scope the token grants")
    String scope;

    @Option(names = "--device", paramLabel = "ID", defaultValue = "*",
            description = "Only this device id may use the token (default: any device of the scope)")
    String device;

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "30d",
            description = "How long the token is valid: 90m, 12h, 30d or ISO-8601 (default: 30d)")
    String ttl;

    @Override
    public Integer call() {
        Duration validity;
        try {
            validity = PluginConfig.parseDuration(ttl);
        }
        catch (RuntimeException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "invalid value '" + ttl
                    + "' for option '--ttl': expected a duration like 90m, 12h, 30d or PT12H");
        }
        // The same reading of the file as the server's auth.hmac.secret-file, so the token verifies there.
        byte[] secret = secret();
        spec.commandLine().getOut().println(HmacTokens.issue(secret, scope, device, Instant.now().plus(validity)));
        spec.commandLine().getOut().flush();
        return 0;
    }

    private byte[] secret() {
        if (secretFile != null) {
            return HmacTokens.readSecretFile(secretFile);
        }
        String fromEnvironment = environment.apply(ServerCommand.ENV_HMAC_SECRET);
        if (fromEnvironment == null || fromEnvironment.isBlank()) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "no secret: give --hmac-secret-file FILE or set "
                    + ServerCommand.ENV_HMAC_SECRET);
        }
        return fromEnvironment.strip().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
