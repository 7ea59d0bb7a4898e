package io.pocketsync.api.codec;

import io.pocketsync.api.protocol.Message;

/**
 * Turns protocol messages into bytes and back. Built-ins: {@code json} and {@code cbor}.
 *
 * <p>Implementations are thread-safe and stateless. Decoding is defensive: it enforces a maximum
 * input size and nesting depth and turns every kind of bad input into a
 * {@link io.pocketsync.api.PocketSyncException} with a code ({@code MALFORMED_MESSAGE},
 * {@code MESSAGE_TOO_LARGE}, {@code MESSAGE_TOO_DEEP}, {@code UNKNOWN_MESSAGE_TYPE},
 * {@code PROTOCOL_VERSION_UNSUPPORTED}, {@code INVALID_FIELD}) — never another runtime exception.
 * Unknown fields are ignored.
 */
public interface Codec {
    /**
     * The codec's name, e.g. {@code json}.
     *
     * @return the provider name
     */
    String name();

    /**
     * Whether the encoding is text (WebSocket sends text frames for it).
     *
     * @return true when {@link #encode} returns UTF-8 text
     */
    boolean textual();

    /**
     * Encodes a message.
     *
     * @param message the message; not null
     * @return the encoded bytes
     */
    byte[] encode(Message message);

    /**
     * Decodes a message.
     *
     * @param bytes the bytes as received; not null
     * @return the message
     * @throws io.pocketsync.api.PocketSyncException on any malformed, oversized or unsupported input
     */
    Message decode(byte[] bytes);
}
