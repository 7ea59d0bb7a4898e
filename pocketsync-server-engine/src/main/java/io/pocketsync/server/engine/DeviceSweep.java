package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Scope;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every {@link #INTERVAL} on the server's scheduler: writes the device sightings recorded since the last run
 * ({@link DeviceSightings}), and applies to this node's live sessions the controls an operator recorded through another
 * node ({@link DeviceControls}): a device revoked there is closed here, a resync asked there is told here. It reads one
 * note per scope with live sessions (the scope's stamp of controls), and the controls of those sessions only when the
 * stamp changed. Controls recorded through this node are applied at once, without waiting for it.
 *
 * <p>Thread-safe (one run at a time: the scheduler's, or {@code SyncServer.sweepNow}); one failing scope does not stop
 * the others.
 */
final class DeviceSweep implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceSweep.class);
    /** How often the sweep runs: the longest a control recorded through another node takes to reach a live session. */
    static final Duration INTERVAL = Duration.ofSeconds(5);

    private final ServerServices services;
    private final Map<Scope, String> stamps = new HashMap<>();
    private long lastRefresh;

    DeviceSweep(ServerServices services) {
        this.services = requireNonNull(services, "services is null");
    }

    @Override
    public synchronized void run() {
        try {
            long now = services.clock().millis();
            List<Session> live = services.registry().joined();
            if (now - lastRefresh >= DeviceSightings.REFRESH_MILLIS) {
                services.sightings().refresh(live);
                lastRefresh = now;
            }
            services.sightings().flush();
            enforce(live);
        }
        catch (RuntimeException e) {
            LOG.warn("device sweep failed: {}", e.toString());
        }
    }

    private void enforce(List<Session> live) {
        Map<Scope, List<Session>> byScope = live.stream().filter(session -> session.scope() != null)
                .collect(Collectors.groupingBy(Session::scope));
        stamps.keySet().retainAll(byScope.keySet());
        for (Map.Entry<Scope, List<Session>> scope : byScope.entrySet()) {
            try {
                String stamp = services.controls().stamp(scope.getKey());
                if (stamp == null || Objects.equals(stamp, stamps.get(scope.getKey()))) {
                    continue;
                }
                services.controls().enforce(scope.getKey(), scope.getValue());
                stamps.put(scope.getKey(), stamp);
            }
            catch (RuntimeException e) {
                LOG.warn("device controls of scope {} not checked: {}", scope.getKey(), e.toString());
            }
        }
    }
}
