package io.pocketsync.api.model;

/**
 * A hybrid logical clock timestamp: wall-clock milliseconds since the Unix epoch in the high 48
 * bits and a logical counter in the low 16 bits, packed into one signed 64-bit value so that the
 * natural order of the packed value is the clock order. The same packing is computed inside the
 * device's SQLite triggers ({@code ms * 65536 + counter}), which is why it is a plain integer.
 *
 * <p>Immutable. The total order used for conflicts is {@link Version} (HLC, then device id).
 *
 * @param value the packed value; never negative
 */
public record Hlc(long value) implements Comparable<Hlc> {
    /** Bits of the logical counter. */
    public static final int LOGICAL_BITS = 16;
    /** The smallest timestamp. */
    public static final Hlc ZERO = new Hlc(0);

    /**
     * Validates the value: never negative.
     *
     * @param value the packed value; never negative
     */
    public Hlc {
        if (value < 0) {
            throw new IllegalArgumentException("HLC value must not be negative: " + value);
        }
    }

    /**
     * The timestamp for {@code physicalMillis} and {@code logical} (0–65535).
     *
     * @param physicalMillis wall-clock milliseconds since the epoch; below 2^47
     * @param logical the counter within the millisecond, 0–65535
     * @return the packed timestamp
     * @throws IllegalArgumentException when {@code logical} is out of range
     */
    public static Hlc of(long physicalMillis, int logical) {
        if (logical < 0 || logical > 0xFFFF) {
            throw new IllegalArgumentException("logical counter out of range: " + logical);
        }
        return new Hlc((physicalMillis << LOGICAL_BITS) | logical);
    }

    /**
     * Wall-clock milliseconds since the epoch.
     *
     * @return the high 48 bits
     */
    public long physicalMillis() {
        return value >>> LOGICAL_BITS;
    }

    /**
     * The logical counter within the millisecond.
     *
     * @return the low 16 bits, 0–65535
     */
    public int logical() {
        return (int) (value & 0xFFFF);
    }

    /**
     * The later of this and {@code other}.
     *
     * @param other another timestamp; not null
     * @return this when equal or later, otherwise {@code other}
     */
    public Hlc max(Hlc other) {
        return compareTo(other) >= 0 ? this : other;
    }

    @Override
    public int compareTo(Hlc other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return physicalMillis() + "." + logical();
    }
}
