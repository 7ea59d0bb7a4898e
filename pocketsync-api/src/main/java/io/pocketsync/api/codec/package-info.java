/**
 * The codec extension point: protocol messages to bytes and back.
 *
 * <p>Null-marked: nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.pocketsync.api.codec;

import org.jspecify.annotations.NullMarked;
