/**
 * The wire protocol's messages (docs/protocol.md), one immutable record per message type.
 *
 * <p>Null-marked: nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.pocketsync.api.protocol;

import org.jspecify.annotations.NullMarked;
