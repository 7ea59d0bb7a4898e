package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ScopeNotes;
import io.pocketsync.server.engine.DeviceNotes.Sighting;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each device was last seen, for operators: recorded in memory as sessions open and close, and written to the
 * store's {@link ScopeNotes} by the {@link DeviceSweep} a few seconds later, one write per scope, so that connects
 * never wait for the store and a burst of them costs one write. Live sessions are written again every minute, so a
 * sighting that says "online" and is older than {@link #STALE_MILLIS} comes from a node that stopped without saying
 * goodbye. Every node sharing the store reads the others' sightings.
 *
 * <p>Thread-safe.
 */
final class DeviceSightings {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceSightings.class);
    /** How often a live session's sighting is written again. */
    static final long REFRESH_MILLIS = 60_000;
    /** An "online" sighting older than this is not believed. */
    static final long STALE_MILLIS = 150_000;

    private final ScopeNotes notes;
    private final Clock clock;
    private final String nodeId;
    private final Map<Scope, Map<String, Sighting>> unwritten = new ConcurrentHashMap<>();

    DeviceSightings(ScopeNotes notes, Clock clock, String nodeId) {
        this.notes = requireNonNull(notes, "notes is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.nodeId = requireNonNull(nodeId, "nodeId is null");
    }

    /** The session completed HELLO, or is still live (a refresh). */
    void online(Session session) {
        record(session, true);
    }

    /** The session closed; a session that never completed HELLO is no sighting. */
    void offline(Session session) {
        record(session, false);
    }

    void refresh(Collection<Session> live) {
        live.forEach(this::online);
    }

    private void record(Session session, boolean online) {
        Scope scope = session.scope();
        String device = session.deviceId();
        if (scope == null || device == null) {
            return;
        }
        SessionActivity activity = session.activity();
        Sighting sighting = new Sighting(device, activity.openedAt(), clock.millis(), online, nodeId,
                session.connection().transport(), activity.cursor(), session.connection().remoteAddress());
        unwritten.computeIfAbsent(scope, s -> new ConcurrentHashMap<>()).put(device, sighting);
    }

    /** Writes what was recorded since the last flush; what fails stays for the next one. */
    void flush() {
        for (Map.Entry<Scope, Map<String, Sighting>> scope : unwritten.entrySet()) {
            Map<String, Sighting> pending = scope.getValue();
            Map<String, Sighting> taken = new HashMap<>(pending);
            if (taken.isEmpty()) {
                continue;
            }
            Map<String, String> values = new HashMap<>();
            taken.forEach((device, sighting) -> values.put(DeviceNotes.SEEN + device, sighting.encode()));
            try {
                notes.write(scope.getKey(), values);
                // what a session recorded meanwhile stays for the next flush (remove(key, value) keeps a newer one)
                taken.forEach(pending::remove);
            }
            catch (RuntimeException e) {
                LOG.warn("{} device sightings of scope {} not written (retried later): {}", taken.size(), scope.getKey(),
                        e.toString());
            }
        }
        // empty maps stay: removing one could orphan a sighting a session is adding to it right now (one per scope)
    }

    /** The sightings of a scope: the store's, overlaid with this node's unwritten ones. */
    Map<String, Sighting> read(Scope scope, Map<String, String> scopeNotes) {
        Map<String, Sighting> sightings = new HashMap<>();
        scopeNotes.forEach((name, value) -> {
            if (name.startsWith(DeviceNotes.SEEN)) {
                String device = name.substring(DeviceNotes.SEEN.length());
                Sighting sighting = Sighting.parse(device, value);
                if (sighting != null) {
                    sightings.put(device, sighting);
                }
            }
        });
        sightings.putAll(unwritten.getOrDefault(scope, Map.of()));
        return sightings;
    }
}
