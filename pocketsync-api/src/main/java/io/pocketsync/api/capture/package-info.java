/**
 * The capture extension point: how a device database records local writes and takes remote changes in.
 *
 * <p>{@link io.pocketsync.api.capture.ChangeCapture} is a real extension point, not an internal seam. The device
 * engine talks to the database only through it; {@code PocketSyncDevice.builder().capture(name, config)} selects
 * the {@link io.pocketsync.api.capture.ChangeCaptureProvider} whose {@code name()} matches among those
 * {@link java.util.ServiceLoader} finds (default {@code sqlite-triggers}, the trigger-based capture in
 * {@code pocketsync-device}), and fails with the names available when none or several match. Why keep it: the
 * engine's sync rules (push in local order, pull at the cursor, ACK handling) do not depend on how writes are
 * noticed, and other captures are worth having on some devices: SQLite's session extension or pre-update hook
 * where the app controls every connection, a platform SQLite binding (Android), an encrypted database. What
 * the engine relies on is written down as a test: {@code pocketsync-testkit}'s
 * {@code AbstractChangeCaptureContractTest}, which the built-in capture passes and any other must pass too.
 *
 * <p>A capture owns the device's system tables, so the state a device keeps (cursor, clock, row sequences,
 * parked changes) is the capture's to store: an implementation is a whole device-side storage plugin, not a
 * trigger generator alone.
 *
 * <p>Null-marked: nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.pocketsync.api.capture;

import org.jspecify.annotations.NullMarked;
