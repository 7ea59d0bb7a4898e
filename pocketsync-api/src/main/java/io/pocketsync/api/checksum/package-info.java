/**
 * Checksums of row state (docs/protocol.md 4): the hash of one row's wire image, and the order-independent sums of
 * those hashes per table and per bucket that the server keeps with every batch and a device computes from its
 * tables, so that the two can tell whether they hold the same rows and find the ones that differ.
 *
 * <p>Null-marked: nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.pocketsync.api.checksum;

import org.jspecify.annotations.NullMarked;
