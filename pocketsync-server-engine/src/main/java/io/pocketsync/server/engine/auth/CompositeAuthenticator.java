package io.pocketsync.server.engine.auth;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.auth.Credentials;
import io.pocketsync.api.auth.Principal;
import java.util.List;

/**
 * Tries several authenticators in order (e.g. static tokens for operators' tools and signed tokens for
 * devices); the first that grants wins. When all refuse, the most specific refusal is reported:
 * {@code TOKEN_EXPIRED}, then {@code SCOPE_FORBIDDEN}, then {@code AUTH_FAILED} (for the server's log: the engine
 * answers the device {@code AUTH_FAILED} whatever the refusal).
 *
 * <p>Immutable and thread-safe.
 */
public final class CompositeAuthenticator implements Authenticator {
    private static final List<ErrorCode> SPECIFICITY =
            List.of(ErrorCode.TOKEN_EXPIRED, ErrorCode.SCOPE_FORBIDDEN, ErrorCode.AUTH_FAILED);

    private final List<Authenticator> authenticators;

    /**
     * An authenticator that asks each of {@code authenticators} in turn.
     *
     * @param authenticators tried in list order; the first that accepts a HELLO decides; not null
     */
    public CompositeAuthenticator(List<Authenticator> authenticators) {
        this.authenticators = List.copyOf(requireNonNull(authenticators, "authenticators is null"));
        if (this.authenticators.isEmpty()) {
            throw new IllegalArgumentException("no authenticators");
        }
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        PocketSyncException best = null;
        for (Authenticator authenticator : authenticators) {
            try {
                return authenticator.authenticate(credentials);
            }
            catch (PocketSyncException e) {
                if (best == null || rank(e.code()) < rank(best.code())) {
                    best = e;
                }
            }
        }
        throw best;
    }

    private static int rank(ErrorCode code) {
        int index = SPECIFICITY.indexOf(code);
        return index < 0 ? SPECIFICITY.size() : index;
    }
}
