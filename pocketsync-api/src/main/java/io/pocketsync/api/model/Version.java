package io.pocketsync.api.model;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;

/**
 * The total, deterministic order of writes used by last-write-wins: by {@link Hlc} first, then by
 * device id (lexicographic, by UTF-16 code units) to break ties between devices.
 *
 * @param hlc when the write happened; never null
 * @param deviceId which device wrote it; never null
 */
public record Version(Hlc hlc, String deviceId) implements Comparable<Version> {
    private static final Comparator<Version> ORDER =
            Comparator.comparing(Version::hlc).thenComparing(Version::deviceId);

    /**
     * Validates the version.
     *
     * @param hlc when the write happened; never null
     * @param deviceId which device wrote it; never null
     */
    public Version {
        requireNonNull(hlc, "hlc is null");
        requireNonNull(deviceId, "deviceId is null");
    }

    /**
     * Whether this write wins over {@code other} under last-write-wins.
     *
     * @param other the other write's version; not null
     * @return true when this one orders strictly after {@code other}
     */
    public boolean isAfter(Version other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(Version other) {
        return ORDER.compare(this, other);
    }
}
