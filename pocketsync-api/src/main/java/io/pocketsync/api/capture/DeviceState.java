package io.pocketsync.api.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.protocol.ChangesMode;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The device's persistent sync state ({@code __pocketsync_device_state}).
 *
 * @param deviceId generated once, random, persisted
 * @param scope the scope the cursor belongs to; null before {@link ChangeCapture#bindScope} was called once
 * @param cursor the last server sequence applied
 * @param hlc the device clock
 * @param resyncing whether a full resync (SNAPSHOT pages) is in progress
 * @param lastSync when the cursor last moved (a page or a LIVE broadcast was applied, the broadcast of the
 *        device's own pushed batch included); null before the first time
 */
public record DeviceState(String deviceId, @Nullable String scope, long cursor, Hlc hlc, boolean resyncing,
        @Nullable Instant lastSync) {
    /**
     * Validates the state.
     *
     * @param deviceId generated once, random, persisted
     * @param scope the scope the cursor belongs to; null before {@link ChangeCapture#bindScope} was called once
     * @param cursor the last server sequence applied
     * @param hlc the device clock
     * @param resyncing whether a full resync (SNAPSHOT pages) is in progress
     * @param lastSync when the cursor last moved; null before the first time
     */
    public DeviceState {
        requireNonNull(deviceId, "deviceId is null");
        requireNonNull(hlc, "hlc is null");
    }

    /**
     * Whether a {@code CHANGES} message of {@code mode} from {@code fromCursor} fits this state (protocol.md 3.3 and
     * 3.6), so that applying it would move the cursor; see {@link #admits(long, boolean, ChangesMode, long)}.
     *
     * @param mode the message's mode
     * @param fromCursor the message's {@code from}
     * @return whether the message would be applied
     */
    public boolean admits(ChangesMode mode, long fromCursor) {
        return admits(cursor, resyncing, mode, fromCursor);
    }

    /**
     * Whether a {@code CHANGES} message fits a device at {@code cursor}: a SNAPSHOT page from 0 always does (it
     * (re)starts a resync); while resyncing, only the SNAPSHOT page from the cursor, or a CATCH_UP page from 0 (which
     * replaces the resync); otherwise a CATCH_UP page or a LIVE from the cursor.
     *
     * @param cursor the stored cursor
     * @param resyncing whether a full resync is in progress
     * @param mode the message's mode
     * @param fromCursor the message's {@code from}
     * @return whether the message would be applied
     */
    public static boolean admits(long cursor, boolean resyncing, ChangesMode mode, long fromCursor) {
        if (mode == ChangesMode.SNAPSHOT && fromCursor == 0) {
            return true;
        }
        if (resyncing != (mode == ChangesMode.SNAPSHOT)) {
            return resyncing && mode == ChangesMode.CATCH_UP && fromCursor == 0;
        }
        return cursor == fromCursor;
    }
}
