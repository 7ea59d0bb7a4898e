package io.pocketsync.device;

import io.pocketsync.api.ErrorCode;

/**
 * Told when something went wrong: a pushed change was rejected, a remote change was parked, the server reported an
 * error, or the engine failed. Register with {@link PocketSyncDevice#onError}; runs on the device's listener executor.
 */
@FunctionalInterface
public interface SyncErrorListener {
    /**
     * @param code what went wrong, shared with the protocol and the docs
     * @param message a human-readable explanation, free of secrets
     */
    void error(ErrorCode code, String message);
}
