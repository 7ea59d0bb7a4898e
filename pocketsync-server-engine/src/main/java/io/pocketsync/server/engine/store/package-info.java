/**
 * Building blocks shared by the built-in server stores ({@code store-sqlite}, {@code store-redis}) and
 * available to third-party stores: {@link io.pocketsync.server.engine.store.StoreJson} writes row images and
 * changes as JSON that round-trips SQLite values exactly, {@link io.pocketsync.server.engine.store.ChangeFeedDispatcher}
 * delivers feed events off the writer's thread. What a batch means is decided by
 * {@link io.pocketsync.api.store.BatchPlan} in {@code pocketsync-api}, next to the {@code ServerStore} contract.
 *
 * <p>Not a stable SPI: the {@code ServerStore} interface in {@code pocketsync-api} is the contract; these
 * classes may change with the stores that use them.
 */
package io.pocketsync.server.engine.store;
