package io.pocketsync.api.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Hlc;
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
}
