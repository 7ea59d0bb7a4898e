package io.pocketsync.server.engine;

import io.pocketsync.api.model.Scope;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions of this node: all open ones (to close them on shutdown), the authenticated ones by
 * scope (to broadcast to) and by device (a device's new session replaces its old one: looked up without going
 * through the scope's thousands of sessions). Thread-safe.
 */
final class SessionRegistry {
    private record Device(Scope scope, String deviceId) {}

    private final Set<Session> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<Scope, Set<Session>> byScope = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Device, Set<Session>> byDevice = new ConcurrentHashMap<>();

    void opened(Session session) {
        open.add(session);
    }

    /** The session completed HELLO: it receives the scope's broadcasts from now on. */
    void joined(Scope scope, Session session) {
        byScope.computeIfAbsent(scope, s -> ConcurrentHashMap.newKeySet()).add(session);
        byDevice.computeIfAbsent(new Device(scope, session.deviceId()), d -> ConcurrentHashMap.newKeySet()).add(session);
    }

    void closed(Session session) {
        open.remove(session);
        Scope scope = session.scope();
        if (scope != null) {
            byScope.computeIfPresent(scope, (s, sessions) -> {
                sessions.remove(session);
                return sessions.isEmpty() ? null : sessions;
            });
            byDevice.computeIfPresent(new Device(scope, session.deviceId()), (d, sessions) -> {
                sessions.remove(session);
                return sessions.isEmpty() ? null : sessions;
            });
        }
    }

    List<Session> inScope(Scope scope) {
        Set<Session> sessions = byScope.get(scope);
        return sessions == null ? List.of() : List.copyOf(sessions);
    }

    /** The sessions of {@code deviceId} in {@code scope}: one, or for a moment two while the newer replaces the older. */
    List<Session> ofDevice(Scope scope, String deviceId) {
        Set<Session> sessions = byDevice.get(new Device(scope, deviceId));
        return sessions == null ? List.of() : List.copyOf(sessions);
    }

    List<Session> all() {
        return List.copyOf(open);
    }

    List<Session> joined() {
        return byScope.values().stream().flatMap(Set::stream).toList();
    }
}
