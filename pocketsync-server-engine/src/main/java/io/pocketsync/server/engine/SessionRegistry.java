package io.pocketsync.server.engine;

import io.pocketsync.api.model.Scope;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions of this node: all open ones (to close them on shutdown) and the authenticated ones by
 * scope (to broadcast to). Thread-safe.
 */
final class SessionRegistry {
    private final Set<Session> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<Scope, Set<Session>> byScope = new ConcurrentHashMap<>();

    void opened(Session session) {
        open.add(session);
    }

    /** The session completed HELLO: it receives the scope's broadcasts from now on. */
    void joined(Scope scope, Session session) {
        byScope.computeIfAbsent(scope, s -> ConcurrentHashMap.newKeySet()).add(session);
    }

    void closed(Session session) {
        open.remove(session);
        Scope scope = session.scope();
        if (scope != null) {
            byScope.computeIfPresent(scope, (s, sessions) -> {
                sessions.remove(session);
                return sessions.isEmpty() ? null : sessions;
            });
        }
    }

    List<Session> inScope(Scope scope) {
        Set<Session> sessions = byScope.get(scope);
        return sessions == null ? List.of() : List.copyOf(sessions);
    }

    List<Session> all() {
        return List.copyOf(open);
    }

    List<Session> joined() {
        return byScope.values().stream().flatMap(Set::stream).toList();
    }
}
