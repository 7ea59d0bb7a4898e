package io.pocketsync.server.engine.auth;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.auth.AuthenticatorProvider;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/** Registers {@link HmacTokenAuthenticator} as {@code hmac}; key {@code secret} (required, at least 16 bytes). */
public final class HmacTokenAuthenticatorProvider implements AuthenticatorProvider {
    @Override
    public String name() {
        return "hmac";
    }

    @Override
    public Authenticator create(PluginConfig config, PluginContext context) {
        config.validateKeys(Set.of("secret"));
        String secret = config.get("secret").orElseThrow(() -> new PocketSyncException(ErrorCode.CONFIG_INVALID,
                "'" + config.namespace() + ".secret' is required"));
        return new HmacTokenAuthenticator(secret.getBytes(StandardCharsets.UTF_8), context.clock());
    }
}
