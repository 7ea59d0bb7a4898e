package io.pocketsync.api.protocol;

/**
 * A protocol message. Every message carries the protocol version it was written in; see
 * {@code docs/protocol.md} for the wire format and the conversation rules.
 *
 * <p>All implementations are immutable records, safe to share between threads.
 */
public sealed interface Message permits Hello, Welcome, Push, Ack, Changes, Pull, ErrorMessage, Ping, Pong,
        Verify, Checksums, Scoped {
    /**
     * The protocol version the message was written in.
     *
     * @return the version number
     */
    int protocolVersion();

    /**
     * The message's type tag as it appears on the wire.
     *
     * @return the type; fixed per record class
     */
    MessageType type();
}
