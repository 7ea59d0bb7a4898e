/**
 * The server store extension point: the durable change log, row states, cursors and idempotency.
 *
 * <p>Null-marked: nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.pocketsync.api.store;

import org.jspecify.annotations.NullMarked;
