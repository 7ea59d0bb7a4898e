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
}
