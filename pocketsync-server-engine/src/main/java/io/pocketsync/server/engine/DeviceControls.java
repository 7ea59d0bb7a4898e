package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ScopeNotes;
import io.pocketsync.server.engine.DeviceNotes.Revocation;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operators' controls over devices, kept in the store's {@link ScopeNotes} so that they survive a restart and hold on
 * every node sharing the store: a revoked device's HELLO is refused with {@code DEVICE_REVOKED} until it is allowed
 * again, and a device asked to resync is served a full snapshot by its next PULL (at once when it is connected, else
 * in its next session). The handshake consults {@link #atHello}; the admin API and the {@link DeviceSweep} (for
 * controls recorded through other nodes) apply them to live sessions with {@link #enforce}.
 *
 * <p>Thread-safe.
 */
final class DeviceControls {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceControls.class);

    private final ScopeNotes notes;
    private final Clock clock;

    DeviceControls(ScopeNotes notes, Clock clock) {
        this.notes = requireNonNull(notes, "notes is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    ScopeNotes notes() {
        return notes;
    }

    /** What holds for a device saying HELLO: revoked (refuse it), or a resync asked at {@code resyncAskedAt} (> 0). */
    record Verdict(@Nullable Revocation revoked, long resyncAskedAt) {}

    /**
     * @throws io.pocketsync.api.PocketSyncException STORE_UNAVAILABLE when the notes cannot be read
     */
    Verdict atHello(Scope scope, String device) {
        Map<String, String> values = notes.read(scope, List.of(DeviceNotes.REVOKED + device, DeviceNotes.RESYNC + device));
        return new Verdict(Revocation.parse(values.get(DeviceNotes.REVOKED + device)),
                millis(values.get(DeviceNotes.RESYNC + device)));
    }

    Revocation revoke(Scope scope, String device, @Nullable String reason) {
        Revocation revocation = new Revocation(clock.millis(), DeviceNotes.reason(reason));
        notes.write(scope, Map.of(DeviceNotes.REVOKED + device, revocation.encode(), DeviceNotes.CONTROLS, stamp()));
        LOG.warn("device {} in scope {} revoked by an operator{}", device, scope,
                revocation.reason().isEmpty() ? "" : ": " + revocation.reason());
        return revocation;
    }

    /** @return whether the device was revoked */
    boolean allow(Scope scope, String device) {
        String name = DeviceNotes.REVOKED + device;
        boolean revoked = notes.read(scope, List.of(name)).containsKey(name);
        if (revoked) {
            notes.remove(scope, List.of(name));
            notes.write(scope, Map.of(DeviceNotes.CONTROLS, stamp()));
            LOG.warn("device {} in scope {} allowed again by an operator", device, scope);
        }
        return revoked;
    }

    /** @return when the request was recorded */
    long askResync(Scope scope, String device) {
        long at = clock.millis();
        notes.write(scope, Map.of(DeviceNotes.RESYNC + device, Long.toString(at), DeviceNotes.CONTROLS, stamp()));
        LOG.info("device {} in scope {}: an operator asked for a full resync", device, scope);
        return at;
    }

    /** The snapshot a resync request asked for was sent in full: the request is done, unless a newer one came since. */
    void resyncServed(Scope scope, String device, long requestedAt) {
        String name = DeviceNotes.RESYNC + device;
        try {
            if (millis(notes.read(scope, List.of(name)).get(name)) == requestedAt) {
                notes.remove(scope, List.of(name));
            }
        }
        catch (RuntimeException e) {
            // the request stays: the device's next session gets another snapshot, which is correct, only slower
            LOG.warn("device {} resynced, but its resync request could not be cleared: {}", device, e.toString());
        }
    }

    /** The scope's stamp of controls, which changes with each of them; null when none was ever recorded. */
    @Nullable String stamp(Scope scope) {
        return notes.read(scope, List.of(DeviceNotes.CONTROLS)).get(DeviceNotes.CONTROLS);
    }

    /**
     * Applies the recorded controls to live sessions of one scope: a revoked device's sessions are closed, a device
     * asked to resync is told so (once per request).
     *
     * @return the sessions closed or told to resync
     */
    int enforce(Scope scope, List<Session> sessions) {
        List<String> names = new ArrayList<>();
        for (Session session : sessions) {
            names.add(DeviceNotes.REVOKED + session.deviceId());
            names.add(DeviceNotes.RESYNC + session.deviceId());
        }
        Map<String, String> values = names.isEmpty() ? Map.of() : notes.read(scope, names);
        int acted = 0;
        for (Session session : sessions) {
            if (values.containsKey(DeviceNotes.REVOKED + session.deviceId())) {
                session.close(ErrorCode.DEVICE_REVOKED, "an operator revoked device " + session.deviceId());
                acted++;
            }
            else {
                long asked = millis(values.get(DeviceNotes.RESYNC + session.deviceId()));
                if (asked > 0 && tellResync(session, asked)) {
                    acted++;
                }
            }
        }
        return acted;
    }

    /** Serves the session's next PULL as a snapshot and tells the device to pull (once per request). */
    static boolean tellResync(Session session, long requestedAt) {
        if (!session.activity().askSnapshot(requestedAt)) {
            return false;
        }
        // a device answers RESYNC_REQUIRED with a PULL, which the planner serves as a snapshot from 0
        session.sendError(ErrorCode.RESYNC_REQUIRED, "an operator asked for a full resync: pull again", null);
        return true;
    }

    private static String stamp() {
        return UUID.randomUUID().toString();
    }

    private static long millis(@Nullable String value) {
        try {
            return value == null ? 0 : Long.parseLong(value);
        }
        catch (NumberFormatException e) {
            return 0;
        }
    }
}
