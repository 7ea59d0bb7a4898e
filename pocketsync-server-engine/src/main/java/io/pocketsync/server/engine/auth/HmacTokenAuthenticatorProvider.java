package io.pocketsync.server.engine.auth;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.auth.AuthenticatorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Registers {@link HmacTokenAuthenticator} as {@code hmac}. Keys: exactly one of {@code secret-file} (a file
 * holding the secret, read by {@link HmacTokens#readSecretFile}; keeps the secret out of configuration files)
 * and {@code secret} (the secret itself); at least 16 bytes either way.
 */
public final class HmacTokenAuthenticatorProvider implements AuthenticatorProvider {
    @Override
    public String name() {
        return "hmac";
    }

    @Override
    public Authenticator create(PluginConfig config, PluginContext context) {
        config.validateKeys(Set.of("secret", "secret-file"));
        Optional<String> secret = config.get("secret");
        Optional<String> file = config.get("secret-file").filter(path -> !path.isBlank());
        String prefix = config.namespace().isEmpty() ? "" : config.namespace() + ".";
        if (secret.isPresent() == file.isPresent()) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID,
                    "give exactly one of '" + prefix + "secret-file' and '" + prefix + "secret'");
        }
        byte[] bytes = file.isPresent() ? HmacTokens.readSecretFile(Path.of(file.get()))
                : secret.get().getBytes(StandardCharsets.UTF_8);
        return new HmacTokenAuthenticator(bytes, context.clock());
    }
}
