/**
 * Plumbing shared by the built-in transports ({@code transport-websocket}, {@code transport-mqtt}) and
 * available to third-party ones: {@link io.pocketsync.core.transport.ReconnectScheduler} is a client
 * transport's reconnect loop with backoff and jitter, {@link io.pocketsync.core.transport.OutboundLimit}
 * bounds what a server connection has queued for its device and owes it {@code ERROR CATCH_UP_REQUIRED}
 * after dropping, {@link io.pocketsync.core.transport.MessageFraming} sends a message larger than one frame as
 * {@link io.pocketsync.core.transport.Fragment}s and rebuilds received ones ({@link io.pocketsync.core.transport.MessageSplitter},
 * {@link io.pocketsync.core.transport.FragmentAssembler}; docs/protocol.md 1.1).
 *
 * <p>Not a stable SPI: {@code ClientTransport}, {@code ServerTransport} and {@code Connection} in
 * {@code pocketsync-api} are the contract; these classes may change with the transports that use them.
 */
package io.pocketsync.core.transport;
