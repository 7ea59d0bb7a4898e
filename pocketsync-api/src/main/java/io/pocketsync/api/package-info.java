/**
 * The PocketSync API: the error codes and exception every module shares, identifier rules, and the
 * configuration and context a plugin receives. Extension points live in the sub-packages, one per SPI.
 *
 * <p>Null-marked: nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.pocketsync.api;

import org.jspecify.annotations.NullMarked;
