/**
 * The authentication extension point: turning a device's credentials into an authorised scope.
 *
 * <p>Null-marked: nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.pocketsync.api.auth;

import org.jspecify.annotations.NullMarked;
