package io.pocketsync.server;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Grant;
import io.pocketsync.server.engine.auth.HmacTokens;
import io.pocketsync.server.engine.auth.JwtAuthenticator;
import io.pocketsync.server.engine.auth.JwtTokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pocketsync token}: issues a device token for development and scripts. With {@code --jwt}, an HS256 JWT that a
 * server started with the same {@code --jwt-secret-file} (or {@code POCKETSYNC_JWT_SECRET}) and {@code --jwt-audience}
 * accepts, granting each {@code --scope NAME[:r|rw]}; without it, the older HMAC token for one scope that a server started
 * with the same {@code --hmac-secret-file} (or {@code POCKETSYNC_HMAC_SECRET}) accepts. Prints only the token, so scripts
 * can capture it.
 */
@Command(name = "token", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Issues a signed device token.",
                "--jwt: an HS256 JWT for 'pocketsync server --jwt-secret-file FILE --jwt-audience AUD' (same file and audience).",
                "Otherwise: an HMAC token for 'pocketsync server --hmac-secret-file FILE' (deprecated in favour of JWTs)."})
public final class TokenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--jwt", description = "Issue a JWT (HS256) instead of an HMAC token")
    boolean jwt;

    @Option(names = "--secret-file", paramLabel = "FILE",
            description = "With --jwt: the server's JWT secret (the file's content without surrounding whitespace; at least"
                    + " 32 bytes). Default: the " + ServerCommand.ENV_JWT_SECRET + " environment variable")
    Path jwtSecretFile;

    @Option(names = "--hmac-secret-file", paramLabel = "FILE",
            description = "The server's HMAC secret (the file's content without surrounding whitespace; at least 16 bytes)."
                    + " Default: the " + ServerCommand.ENV_HMAC_SECRET + " environment variable")
    Path secretFile;

    /** The process environment; tests give their own. */
    Function<String, String> environment = System::getenv;

    @Option(names = "--scope", required = true, paramLabel = "S[:r|rw]",
            description = "The scope the token grants. With --jwt repeatable, each with its grant: NAME:r read-only, NAME:rw"
                    + " or NAME read-write")
    List<String> scopes;

    @Option(names = "--device", paramLabel = "ID", defaultValue = "*",
            description = "Only this device id may use the token (default: any device of the scope)")
    String device;

    @Option(names = "--audience", paramLabel = "AUD", description = "With --jwt: the token's aud, the server's --jwt-audience"
            + " (required with --jwt)")
    String audience;

    @Option(names = "--issuer", paramLabel = "ISS", description = "With --jwt: the token's iss (default: none)")
    String issuer;

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
        Instant now = Instant.now();
        String token = jwt ? jwt(now, validity) : hmac(now, validity);
        spec.commandLine().getOut().println(token);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private String jwt(Instant now, Duration validity) {
        if (audience == null || audience.isBlank()) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--jwt needs --audience AUD: the audience the server"
                    + " checks (its --jwt-audience)");
        }
        if (secretFile != null) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--hmac-secret-file is for HMAC tokens; with --jwt give"
                    + " --secret-file FILE or set " + ServerCommand.ENV_JWT_SECRET);
        }
        Map<String, Grant> grants = new LinkedHashMap<>();
        for (String scope : scopes) {
            String name = scope;
            Grant grant = Grant.READ_WRITE;
            int colon = scope.lastIndexOf(':');
            String suffix = colon < 0 ? "" : scope.substring(colon + 1);
            if (suffix.equals("r") || suffix.equals("rw")) {
                name = scope.substring(0, colon);
                grant = Grant.parse(suffix);
            }
            if (name.isBlank()) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "invalid value '" + scope + "' for option '--scope':"
                        + " expected NAME, NAME:r or NAME:rw");
            }
            grants.put(name, grant);
        }
        // a secret file may hold several secrets while one rotates: tokens are signed with its first line
        byte[] secret = jwtSecretFile != null ? JwtTokens.firstSecret(jwtSecretFile)
                : secret(null, ServerCommand.ENV_JWT_SECRET, "--secret-file");
        return JwtTokens.issueHs256(secret, grants, "*".equals(device) ? null : device, audience, issuer,
                JwtAuthenticator.DEFAULT_CLAIM, now, now.plus(validity));
    }

    private String hmac(Instant now, Duration validity) {
        if (scopes.size() != 1) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "an HMAC token grants one scope: give --scope once, or"
                    + " --jwt for a token of several scopes");
        }
        if (jwtSecretFile != null || audience != null || issuer != null) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--secret-file, --audience and --issuer are for JWTs:"
                    + " add --jwt");
        }
        // The same reading of the file as the server's auth.hmac.secret-file, so the token verifies there.
        byte[] secret = secret(secretFile, ServerCommand.ENV_HMAC_SECRET, "--hmac-secret-file");
        return HmacTokens.issue(secret, scopes.get(0), device, now.plus(validity));
    }

    private byte[] secret(Path file, String variable, String option) {
        if (file != null) {
            return HmacTokens.readSecretFile(file);
        }
        String fromEnvironment = environment.apply(variable);
        if (fromEnvironment == null || fromEnvironment.isBlank()) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "no secret: give " + option + " FILE or set " + variable);
        }
        return fromEnvironment.strip().getBytes(StandardCharsets.UTF_8);
    }
}
