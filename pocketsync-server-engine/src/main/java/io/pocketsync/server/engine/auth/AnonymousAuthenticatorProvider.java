package io.pocketsync.server.engine.auth;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.auth.AuthenticatorProvider;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/** Registers {@link AnonymousAuthenticator} as {@code anonymous}; key {@code scopes} ({@code *} by default). */
public final class AnonymousAuthenticatorProvider implements AuthenticatorProvider {
    @Override
    public String name() {
        return "anonymous";
    }

    @Override
    public Authenticator create(PluginConfig config, PluginContext context) {
        config.validateKeys(Set.of("scopes"));
        String scopes = config.getString("scopes", "*").trim();
        Set<String> names = scopes.equals("*") ? Set.of()
                : Arrays.stream(scopes.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        return new AnonymousAuthenticator(names);
    }
}
