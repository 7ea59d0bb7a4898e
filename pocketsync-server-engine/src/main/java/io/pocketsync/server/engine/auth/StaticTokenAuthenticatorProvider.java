package io.pocketsync.server.engine.auth;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.auth.AuthenticatorProvider;
import java.util.Set;

/** Registers {@link StaticTokenAuthenticator} as {@code static-token}; key {@code tokens} (required). */
public final class StaticTokenAuthenticatorProvider implements AuthenticatorProvider {
    @Override
    public String name() {
        return "static-token";
    }

    @Override
    public Authenticator create(PluginConfig config, PluginContext context) {
        config.validateKeys(Set.of("tokens"));
        String tokens = config.get("tokens").orElseThrow(() -> new PocketSyncException(ErrorCode.CONFIG_INVALID,
                "'" + config.namespace() + ".tokens' is required (scope:token pairs)"));
        return StaticTokenAuthenticator.parse(tokens);
    }
}
