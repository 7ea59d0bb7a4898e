package io.pocketsync.api.store;

/**
 * Receives the change feed of a store. Called on a store thread, per scope in commit order;
 * must not block for long.
 */
public interface ChangeFeedListener {
    /**
     * A batch was committed, by this node or another one.
     *
     * @param batch the committed changes and their sequence range
     */
    void onCommitted(CommittedBatch batch);

    /**
     * The feed may have missed events (e.g. the node lost its Redis connection). Every device session
     * should pull from its cursor; the default does nothing.
     */
    default void onGap() {}

    /**
     * A session for {@code deviceId} was established on some server node sharing this store, this node included
     * ({@link ServerStore#claimSession}). A node that holds another live session for that device closes the older of
     * the two, so two connections never both speak for one device id. The default does nothing.
     *
     * @param scope the device's scope
     * @param deviceId the device
     * @param claim the claim the establishing node made, opaque to the store
     */
    default void onSessionClaimed(io.pocketsync.api.model.Scope scope, String deviceId, String claim) {}
}
