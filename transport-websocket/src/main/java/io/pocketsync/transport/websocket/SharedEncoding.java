package io.pocketsync.transport.websocket;

import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.protocol.Message;

/**
 * The last message encoded by any connection of one server, with its codec and bytes. A broadcast hands the same
 * message object to every connection of a scope, one after another on one thread (the engine's {@code LiveBatch}),
 * so with this the message is encoded once per codec for all of them instead of once per device. Messages are
 * immutable, so the same object encodes to the same bytes; the bytes are never written to.
 *
 * <p>Thread-safe: the entry is replaced whole; two threads encoding at once only miss each other's entry.
 */
final class SharedEncoding {
    private record Entry(Message message, Codec codec, byte[] bytes) {}

    private volatile Entry last;

    /** {@code message} encoded with {@code codec}; the array is shared and must not be changed. */
    byte[] encode(Message message, Codec codec) {
        Entry entry = last;
        if (entry != null && entry.message == message && entry.codec == codec) {
            return entry.bytes;
        }
        byte[] bytes = codec.encode(message);
        last = new Entry(message, codec, bytes);
        return bytes;
    }
}
