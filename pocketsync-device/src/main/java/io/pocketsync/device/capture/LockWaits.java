package io.pocketsync.device.capture;

import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long the engine's connection has found the device database locked by another connection. A write transaction
 * that could not begin within the busy timeout starts a spell (it began a busy timeout earlier); one that commits ends
 * it. A spell that lasts {@link #WARN_AFTER_TIMEOUTS} busy timeouts is said once at WARN, with how long; its end, then,
 * at INFO. Shorter spells stay at the DEBUG line the engine writes for each try. Not thread-safe (the capture is
 * synchronized).
 */
final class LockWaits {
    /** Busy timeouts a spell lasts before it is worth a WARN: 30 s with the default 10 s timeout. */
    static final int WARN_AFTER_TIMEOUTS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(LockWaits.class);

    private final long busyTimeoutNanos;
    private final long warnAfterNanos;
    private long spellStartNanos;
    private boolean inSpell;
    private boolean warned;

    LockWaits(Duration busyTimeout) {
        this.busyTimeoutNanos = busyTimeout.toNanos();
        this.warnAfterNanos = busyTimeout.multipliedBy(WARN_AFTER_TIMEOUTS).toNanos();
    }

    /** A write transaction could not begin: the database stayed locked for a whole busy timeout. */
    void busy() {
        long now = System.nanoTime();
        if (!inSpell) {
            inSpell = true;
            warned = false;
            spellStartNanos = now - busyTimeoutNanos;
        }
        if (!warned && now - spellStartNanos >= warnAfterNanos) {
            warned = true;
            LOG.warn("The device database has been locked by another connection for {} s (an app's long write transaction?);"
                    + " sync waits for it and goes on once it is free", seconds(now - spellStartNanos));
        }
    }

    /** A write transaction committed: the database is free. */
    void free() {
        if (!inSpell) {
            return;
        }
        inSpell = false;
        if (warned) {
            LOG.info("The device database is free again after {} s locked; sync goes on", seconds(System.nanoTime() - spellStartNanos));
        }
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }
}
