package io.pocketsync.api.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Hlc;

/**
 * The device's persistent sync state ({@code __pocketsync_device_state}).
 *
 * @param deviceId generated once, random, persisted
 * @param cursor the last server sequence applied
 * @param hlc the device clock
 */
public record DeviceState(String deviceId, long cursor, Hlc hlc) {
    public DeviceState {
        requireNonNull(deviceId, "deviceId is null");
        requireNonNull(hlc, "hlc is null");
    }
}
