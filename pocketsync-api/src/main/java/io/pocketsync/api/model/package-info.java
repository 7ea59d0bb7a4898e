/**
 * The sync model shared by both sides: changes, row states, clocks, versions, scopes and row images.
 *
 * <p>Null-marked: nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.pocketsync.api.model;

import org.jspecify.annotations.NullMarked;
