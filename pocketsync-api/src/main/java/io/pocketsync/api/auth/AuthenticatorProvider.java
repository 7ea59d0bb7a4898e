package io.pocketsync.api.auth;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;

/** Registers an {@link Authenticator} under a name; config namespace {@code auth.<name>}. */
public interface AuthenticatorProvider {
    /** The name the authenticator is selected by. */
    String name();

    /** Creates an authenticator. */
    Authenticator create(PluginConfig config, PluginContext context);
}
