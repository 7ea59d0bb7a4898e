package io.pocketsync.server;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.auth.AuthenticatorProvider;
import io.pocketsync.server.engine.auth.CompositeAuthenticator;
import io.pocketsync.core.discovery.Providers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the server's authenticator from the {@code auth.*} settings. Stateless. */
final class ServerAuthenticators {
    private static final Logger log = LoggerFactory.getLogger(ServerAuthenticators.class);

    private ServerAuthenticators() {}

    /**
     * Authentication is on by default: static tokens and/or HMAC-signed tokens; anonymous only when
     * explicitly allowed and nothing else is configured.
     */
    static Authenticator create(ServerSettings settings, PluginContext context) {
        List<Authenticator> authenticators = new ArrayList<>();
        List<String> described = new ArrayList<>();
        if (!settings.tokens().isEmpty()) {
            AuthenticatorProvider provider = Providers.authenticators().get("static-token");
            authenticators.add(provider.create(PluginConfig.of("auth.static-token",
                    Map.of("tokens", String.join(",", settings.tokens()))), context));
            described.add("static-token with " + settings.tokens().size() + " token(s) (" + ServerRuntime.origin(provider) + ")");
        }
        Optional<Path> secretFile = settings.hmacSecretFile();
        if (secretFile.isPresent()) {
            String secret = new String(TokenCommand.readSecret(secretFile.get()), StandardCharsets.UTF_8);
            AuthenticatorProvider provider = Providers.authenticators().get("hmac");
            authenticators.add(provider.create(PluginConfig.of("auth.hmac", Map.of("secret", secret)), context));
            described.add("hmac with the secret in " + secretFile.get() + " (" + ServerRuntime.origin(provider) + ")");
        }
        if (authenticators.isEmpty()) {
            if (!settings.allowAnonymous()) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "authentication is on and no credentials are"
                        + " configured: give --token SCOPE:TOKEN or --hmac-secret-file FILE"
                        + " (or --allow-anonymous to accept every device)");
            }
            AuthenticatorProvider provider = Providers.authenticators().get("anonymous");
            log.warn("Authentication is OFF (--allow-anonymous): any device may read and write any scope");
            authenticators.add(provider.create(PluginConfig.empty("auth.anonymous"), context));
            described.add("anonymous (" + ServerRuntime.origin(provider) + ")");
        }
        log.info("Authentication: {}", String.join(", ", described));
        return authenticators.size() == 1 ? authenticators.get(0) : new CompositeAuthenticator(authenticators);
    }

}
