/**
 * The conflict extension point: the winner between a row's stored state and an incoming change.
 *
 * <p>Null-marked: nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.pocketsync.api.conflict;

import org.jspecify.annotations.NullMarked;
