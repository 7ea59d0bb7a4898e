package io.pocketsync.api.protocol;

/** Protocol versions this build speaks. */
public final class ProtocolVersion {
    /** The version this build writes. */
    public static final int CURRENT = 1;
    /** The oldest version this build accepts. */
    public static final int MIN_SUPPORTED = 1;

    private ProtocolVersion() {}

    /**
     * Whether {@code version} can be spoken with this build.
     *
     * @param version a protocol version from a peer
     * @return true within {@code [MIN_SUPPORTED, CURRENT]}
     */
    public static boolean isSupported(int version) {
        return version >= MIN_SUPPORTED && version <= CURRENT;
    }
}
