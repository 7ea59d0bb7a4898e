package io.pocketsync.api.store;

/**
 * Where a scope's sequence stands.
 *
 * @param head the latest committed server sequence (0 when empty)
 * @param horizon the retention horizon: tombstones and the change log at or below it may have been
 *        pruned, so a device whose cursor is below it must resync (0 when nothing was pruned)
 */
public record ScopeInfo(long head, long horizon) {}
