package io.pocketsync.server.engine.auth;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.auth.Credentials;
import io.pocketsync.api.auth.Principal;
import io.pocketsync.api.model.Scope;
import java.util.Set;

/**
 * Grants without a token: every device gets the scope it asks for, or only the listed scopes. Never a
 * default: it is used only when configured by name ({@code server.auth = anonymous}); config
 * ({@code auth.anonymous}): {@code scopes} = comma-separated scope names or {@code *} (the default).
 *
 * <p>Immutable and thread-safe.
 */
public final class AnonymousAuthenticator implements Authenticator {
    private final Set<String> scopes;

    /** @param scopes the scopes open to anyone; empty means every scope */
    public AnonymousAuthenticator(Set<String> scopes) {
        this.scopes = Set.copyOf(requireNonNull(scopes, "scopes is null"));
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        requireNonNull(credentials, "credentials is null");
        if (!scopes.isEmpty() && !scopes.contains(credentials.scope())) {
            throw new PocketSyncException(ErrorCode.SCOPE_FORBIDDEN, "scope " + credentials.scope() + " is not anonymous");
        }
        return new Principal(Scope.of(credentials.scope()), credentials.deviceId());
    }

    @Override
    public String toString() {
        return "AnonymousAuthenticator" + (scopes.isEmpty() ? "[*]" : scopes);
    }
}
