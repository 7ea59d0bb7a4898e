package io.pocketsync.device;

/**
 * The device's checksum metrics since it started ({@link PocketSyncDevice#checksumStats()}): a monitoring agent polls
 * them; a growing {@code rowsRepaired} means rows drift on this device (see README, "Checksums").
 *
 * @param checks comparisons with the server that were made
 * @param mismatches tables found differing
 * @param rowsRepaired rows written or deleted to match the server
 */
public record ChecksumStats(long checks, long mismatches, long rowsRepaired) {}
