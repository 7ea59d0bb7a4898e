package io.pocketsync.api.transport;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter and a cap, for reconnects and retries:
 * attempt {@code n} (from 0) waits a random time in {@code [initial * 2^n / 2, initial * 2^n]},
 * never more than {@code max}.
 *
 * @param initial delay of the first retry
 * @param max the cap
 */
public record ReconnectPolicy(Duration initial, Duration max) {
    /** 100 ms doubling up to 30 s. */
    public static final ReconnectPolicy DEFAULT = new ReconnectPolicy(Duration.ofMillis(100), Duration.ofSeconds(30));

    /**
     * Validates the policy: {@code 0 < initial <= max}.
     *
     * @param initial delay of the first retry
     * @param max the cap
     */
    public ReconnectPolicy {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max");
        }
    }

    /**
     * The delay before attempt {@code attempt} (0-based).
     *
     * @param attempt the attempt number, from 0; negative counts as 0
     * @return a random delay within the attempt's jitter window, at most {@code max}
     */
    public Duration delay(int attempt) {
        long cap = max.toMillis();
        long base = initial.toMillis() << Math.min(Math.max(attempt, 0), 30);
        long ceiling = Math.min(cap, base <= 0 ? cap : base);
        long floor = ceiling / 2;
        return Duration.ofMillis(floor + ThreadLocalRandom.current().nextLong(ceiling - floor + 1));
    }
}
