package io.pocketsync.api.auth;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;

/** Registers an {@link Authenticator} under a name; config namespace {@code auth.<name>}. */
public interface AuthenticatorProvider {
    /**
     * The name the authenticator is selected by.
     *
     * @return the name, e.g. {@code static-token}
     */
    String name();

    /**
     * Creates an authenticator.
     *
     * @param config the keys under {@code auth.<name>}
     * @param context engine services
     * @return the authenticator
     */
    Authenticator create(PluginConfig config, PluginContext context);
}
