/**
 * The transport extension points: the device and server sides of a connection carrying protocol messages.
 *
 * <p>Null-marked: nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.pocketsync.api.transport;

import org.jspecify.annotations.NullMarked;
