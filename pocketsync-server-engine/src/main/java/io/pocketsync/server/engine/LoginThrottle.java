package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts failed logins per key (an address, a device id) and blocks a key that fails too often, with exponential
 * backoff (the rules are on {@link LoginLimits}). Failures are counted over a sliding window, estimated from the
 * counts of the current and the previous window, so a device that retries a stale token now and then never adds up
 * to a block, while a flood reaches its limit at once.
 *
 * <p>Attempts refused while a key is blocked are not failures: they never reach the authenticator, so they cannot
 * lengthen the block, and the guesser learns nothing from them. Memory is bounded: at most {@link #MAX_KEYS} keys,
 * the least recently touched going first, and keys that are quiet long enough to be forgiven are dropped.
 *
 * <p>Thread-safe (one lock; each call is a few map operations).
 */
final class LoginThrottle {
    /** The most keys remembered; a flood of made-up device ids pushes out the keys touched least recently. */
    static final int MAX_KEYS = 100_000;

    private final Clock clock;
    private final long windowMillis;
    private final long initialMillis;
    private final long maxMillis;
    private final Map<String, Entry> entries = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > MAX_KEYS;
        }
    };

    LoginThrottle(LoginLimits limits, Clock clock) {
        requireNonNull(limits, "limits is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.windowMillis = limits.failureWindow().toMillis();
        this.initialMillis = limits.initialDelay().toMillis();
        this.maxMillis = limits.maxDelay().toMillis();
    }

    /**
     * How long the logins of {@code key} stay refused.
     *
     * @return the time left of its block; zero when it is not blocked
     */
    synchronized Duration blocked(String key) {
        Entry entry = entries.get(key);
        long left = entry == null ? 0 : entry.blockedUntil - clock.millis();
        return left > 0 ? Duration.ofMillis(left) : Duration.ZERO;
    }

    /**
     * Counts a failed login of {@code key}.
     *
     * @param limit the failures within the window that block the key
     * @return the block this failure started; zero when it started none
     */
    synchronized Duration failed(String key, int limit) {
        long now = clock.millis();
        dropForgiven(now);
        Entry entry = entries.computeIfAbsent(key, k -> new Entry(now));
        if (now - Math.max(entry.lastFailure, entry.blockedUntil) > windowMillis) {
            entry.strikes = 0; // a quiet window after its last failure or block forgives the key
        }
        entry.roll(now, windowMillis);
        entry.current++;
        entry.lastFailure = now;
        if (entry.estimate(now, windowMillis) < limit) {
            return Duration.ZERO;
        }
        // initial, 2 x initial, 4 x initial, ... up to the cap; the shift stops growing long before it overflows
        long delay = Math.min(maxMillis, initialMillis << Math.min(entry.strikes, 30));
        entry.strikes++;
        entry.blockedUntil = now + delay;
        return Duration.ofMillis(delay);
    }

    /** A successful login of {@code key}: its failures are forgiven. */
    synchronized void succeeded(String key) {
        entries.remove(key);
    }

    /** Keys remembered; for tests. */
    synchronized int size() {
        return entries.size();
    }

    /** Drops the least recently touched keys while they are forgiven anyway (access order: the eldest come first). */
    private void dropForgiven(long now) {
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry entry = it.next();
            if (now - Math.max(entry.lastFailure, entry.blockedUntil) <= 2 * windowMillis) {
                return;
            }
            it.remove();
        }
    }

    /** The failures of one key. Guarded by the throttle's lock. */
    private static final class Entry {
        long windowStart;
        int previous;
        int current;
        long lastFailure;
        long blockedUntil;
        int strikes;

        Entry(long now) {
            this.windowStart = now;
        }

        /** Moves the window forward to {@code now}: what fell out of the previous window is gone. */
        void roll(long now, long window) {
            long elapsed = now - windowStart;
            if (elapsed < window) {
                return;
            }
            previous = elapsed < 2 * window ? current : 0;
            current = 0;
            windowStart = now - elapsed % window;
        }

        /** The failures within the last window: the current count plus the share of the previous one still inside it. */
        double estimate(long now, long window) {
            double overlap = 1.0 - (double) (now - windowStart) / window;
            return current + previous * Math.max(0, overlap);
        }
    }
}
