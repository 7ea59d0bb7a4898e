package io.pocketsync.device.capture;

/** A synced row: its table and {@code ps_global_id}, the identity it has on every device. */
record RowKey(String table, String globalId) {}
