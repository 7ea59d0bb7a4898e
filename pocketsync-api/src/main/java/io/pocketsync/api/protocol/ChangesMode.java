package io.pocketsync.api.protocol;

/** Why a {@link Changes} message was sent. */
public enum ChangesMode {
    /** A live broadcast of a batch another device just committed. */
    LIVE,
    /** One page of catch-up from the device's cursor (latest state per row). */
    CATCH_UP,
    /** One page of a full snapshot, served when the device's cursor is older than the retention horizon. */
    SNAPSHOT
}
