package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Scope;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prunes tombstones, idempotency records and audit entries older than the retention period in every
 * scope; each prune raises the scope's horizon, below which devices are told to resync. Runs on the
 * server's scheduler; one failing scope does not stop the others.
 *
 * <p>Thread-safe.
 */
final class RetentionJob implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);

    private final ServerServices services;

    RetentionJob(ServerServices services) {
        this.services = requireNonNull(services, "services is null");
    }

    @Override
    public void run() {
        Instant cutoff = services.clock().instant().minus(services.options().retention());
        try {
            for (Scope scope : services.store().scopes()) {
                try {
                    long horizon = services.timed("prune", () -> services.store().prune(scope, cutoff));
                    LOG.debug("pruned scope {} before {}: horizon {}", scope, cutoff, horizon);
                }
                catch (RuntimeException e) {
                    LOG.warn("pruning scope {} failed: {}", scope, e.toString());
                }
            }
        }
        catch (RuntimeException e) {
            LOG.warn("retention run failed: {}", e.toString());
        }
    }
}
