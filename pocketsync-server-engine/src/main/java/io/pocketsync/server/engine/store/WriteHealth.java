package io.pocketsync.server.engine.store;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.Health;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a store can write, for its {@link io.pocketsync.api.store.ServerStore#health()}: down from a write that
 * failed for a storage fault (a full disk, a read-only file, a Redis {@code OOM} reply) until a write succeeds again.
 *
 * <p>While down, {@link #health()} tries the store's probe (a tiny write) at most once per probe interval, so readiness
 * comes back by itself once the cause is gone, even when no device is sending anything. The first failure is logged at
 * WARN, with the cause; the recovery at INFO, with how long the store could not write. Thread-safe.
 */
public final class WriteHealth {
    private static final Logger LOG = LoggerFactory.getLogger(WriteHealth.class);

    /** A write as small as the store can make it; throws, with the cause as message, while the store cannot write. */
    @FunctionalInterface
    public interface Probe {
        /**
         * Writes something tiny and durable.
         *
         * @return true when it wrote; false when it did not try (a real write is under way and reports itself)
         * @throws RuntimeException while the store cannot write; its message is the health detail
         */
        boolean write();
    }

    private final String store;
    private final Probe probe;
    private final long probeIntervalNanos;
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile Health current = Health.ok();
    private volatile long downSinceNanos;
    private volatile long lastProbeNanos;

    /**
     * A health that starts up.
     *
     * @param store the store as log lines name it ("SQLite store at /var/lib/ps.db")
     * @param probe the store's probe write
     * @param probeInterval how long {@link #health()} waits between probes while down; positive
     */
    public WriteHealth(String store, Probe probe, Duration probeInterval) {
        this.store = requireNonNull(store, "store is null");
        this.probe = requireNonNull(probe, "probe is null");
        if (probeInterval.isNegative() || probeInterval.isZero()) {
            throw new IllegalArgumentException("probeInterval must be positive: " + probeInterval);
        }
        this.probeIntervalNanos = probeInterval.toNanos();
    }

    /**
     * A write failed for a storage fault: down, with {@code why} as the detail.
     *
     * @param why the cause, for the operator ("SQLITE_FULL: the disk holding ... is full"); no secrets
     */
    public synchronized void failed(String why) {
        requireNonNull(why, "why is null");
        boolean wasUp = current.up();
        if (wasUp) {
            downSinceNanos = System.nanoTime();
            lastProbeNanos = downSinceNanos;
        }
        current = Health.down(why);
        if (wasUp) {
            LOG.warn("{} cannot write: {}; readiness is DOWN until a write succeeds (batches fail with STORE_UNAVAILABLE and"
                    + " devices send them again)", store, why);
        }
    }

    /** A write succeeded: up again. Cheap while up (every batch calls it). */
    public void succeeded() {
        if (!current.up()) {
            recovered();
        }
    }

    private synchronized void recovered() {
        if (current.up()) {
            return;
        }
        current = Health.ok();
        LOG.info("{} writes again after {} s; readiness is UP", store,
                String.format(Locale.ROOT, "%.1f", (System.nanoTime() - downSinceNanos) / 1e9));
    }

    /**
     * The store's health now. While down, probes first when the last probe is a probe interval old (one caller
     * probes; the others get the state as it is).
     *
     * @return up, or down with the last failure's cause
     */
    public Health health() {
        Health now = current;
        if (now.up() || System.nanoTime() - lastProbeNanos < probeIntervalNanos || !probing.compareAndSet(false, true)) {
            return now;
        }
        try {
            lastProbeNanos = System.nanoTime();
            if (probe.write()) {
                succeeded();
            }
        }
        catch (RuntimeException e) {
            failed(String.valueOf(e.getMessage()));
        }
        finally {
            probing.set(false);
        }
        return current;
    }

    /**
     * Whether the last write failed (no probe).
     *
     * @return true while down
     */
    public boolean down() {
        return !current.up();
    }
}
