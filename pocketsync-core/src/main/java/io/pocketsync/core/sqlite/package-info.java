/**
 * SQLite plumbing shared by the two sides that write SQLite files, the device engine ({@code pocketsync-device}) and
 * the server's SQLite store ({@code store-sqlite}): {@link io.pocketsync.core.sqlite.CheckpointThread} runs a writer's
 * WAL checkpoints on a thread of their own. Without a dependency on a SQLite driver: each side brings its connection.
 *
 * <p>Not a stable SPI; these classes may change with the modules that use them.
 */
package io.pocketsync.core.sqlite;
