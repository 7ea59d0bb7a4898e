/**
 * Building blocks shared by the built-in server stores ({@code store-sqlite}, {@code store-redis}) and
 * available to third-party stores: {@link io.pocketsync.server.engine.store.BatchPlan} resolves a batch in memory
 * before anything is written, {@link io.pocketsync.server.engine.store.StoreJson} writes row images and changes as
 * JSON that round-trips SQLite values exactly, {@link io.pocketsync.server.engine.store.ChangeFeedDispatcher}
 * delivers feed events off the writer's thread.
 *
 * <p>Not a stable SPI: the {@code ServerStore} interface in {@code pocketsync-api} is the contract; these
 * classes may change with the stores that use them.
 */
package io.pocketsync.server.engine.store;
