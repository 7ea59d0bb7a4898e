/**
 * PocketSync on a device: {@link io.pocketsync.device.PocketSyncDevice} keeps the tracked tables of an SQLite
 * database in sync with a server, and reports what happens through watchers and sync status listeners.
 *
 * <p>Null-marked: nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.pocketsync.device;

import org.jspecify.annotations.NullMarked;
