/**
 * The built-in {@code sqlite-triggers} change capture: triggers journal every write of a tracked table, the
 * engine seals the journal into pending changes and applies remote changes with capture suppressed.
 *
 * <p>Null-marked: nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.pocketsync.device.capture;

import org.jspecify.annotations.NullMarked;
