package io.pocketsync.api.protocol;

/**
 * Protocol versions this build speaks. Version 2 added table subscriptions (HELLO {@code tables}); a version 1 HELLO
 * subscribes to every table, and a server answers a session in the version its HELLO spoke (docs/protocol.md 1.1).
 * Version 3 added several scopes on one connection: a HELLO per scope, and a {@code scope} field on every later message
 * ({@link Scoped}, docs/protocol.md 3.9). Version 4 added the table catch-up (PULL and CHANGES {@code tables}: a table the
 * device starts tracking arrives on its own, docs/protocol.md 3.8) and the session's grant in WELCOME.
 */
public final class ProtocolVersion {
    /** The version this build writes. */
    public static final int CURRENT = 4;
    /** The oldest version this build accepts. */
    public static final int MIN_SUPPORTED = 1;

    /** The first version with table subscriptions (HELLO {@code tables}). */
    public static final int SUBSCRIPTIONS = 2;

    /** The first version with several scopes on one connection ({@link Scoped} messages). */
    public static final int SCOPES = 3;

    /** The first version with table catch-ups (PULL and CHANGES {@code tables}) and WELCOME {@code grant}. */
    public static final int TABLE_CATCH_UP = 4;

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
