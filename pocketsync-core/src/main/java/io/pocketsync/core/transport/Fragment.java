package io.pocketsync.core.transport;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.nio.ByteBuffer;

/**
 * One fragment of a message too large for one frame (docs/protocol.md, "Fragments"). A fragment frame is a
 * {@value #HEADER_BYTES}-byte header, then a slice of the encoded message:
 *
 * <pre>
 * offset size
 *  0     4  magic "PSF1" (0x50 0x53 0x46 0x31)
 *  4     1  flags: bit 0 set when the whole message is text (JSON), clear when binary (CBOR)
 *  5     4  message number: the same in every fragment of one message
 *  9     4  index of this fragment, from 0
 * 13     4  number of fragments of the message, at least 2
 * 17     4  length of the whole message in bytes
 * 21     -  the slice of the whole message
 * </pre>
 *
 * All integers are big-endian and unsigned below 2^31. A frame starting with {@code P} cannot be a whole message (a
 * JSON message starts with <code>{</code>, a CBOR one with a map header; 0x50 is a CBOR byte string), so one look at the
 * first byte tells a fragment from a message.
 *
 * @param textual whether the whole message is text (JSON)
 * @param messageNumber the number shared by the fragments of one message
 * @param index this fragment's place, from 0
 * @param count how many fragments the message has
 * @param totalBytes the whole message's length
 * @param frame the frame, header included
 */
public record Fragment(boolean textual, int messageNumber, int index, int count, int totalBytes, byte[] frame) {
    /** Bytes before the slice. */
    public static final int HEADER_BYTES = 21;
    private static final byte[] MAGIC = {'P', 'S', 'F', '1'};

    /**
     * Whether {@code frame} is a fragment rather than a whole message.
     *
     * @param frame a received frame
     * @return true when it starts with the fragment magic
     */
    public static boolean isFragment(byte[] frame) {
        if (frame.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (frame[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads a fragment's header.
     *
     * @param frame a frame for which {@link #isFragment} holds
     * @return the fragment
     * @throws PocketSyncException with {@link ErrorCode#MALFORMED_MESSAGE} when the header is short or inconsistent
     */
    public static Fragment parse(byte[] frame) {
        if (!isFragment(frame) || frame.length <= HEADER_BYTES) {
            throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "fragment of " + frame.length + " bytes has no payload");
        }
        ByteBuffer header = ByteBuffer.wrap(frame, MAGIC.length, HEADER_BYTES - MAGIC.length);
        int flags = header.get();
        int number = header.getInt();
        int index = header.getInt();
        int count = header.getInt();
        int total = header.getInt();
        if ((flags & ~1) != 0 || index < 0 || count < 2 || index >= count || total < count) {
            throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "invalid fragment header: flags " + flags + ", fragment "
                    + index + " of " + count + ", " + total + " bytes in all");
        }
        return new Fragment((flags & 1) != 0, number, index, count, total, frame);
    }

    /**
     * Builds one fragment frame.
     *
     * @param textual whether the whole message is text
     * @param messageNumber the message's number
     * @param index this fragment's place
     * @param count how many fragments there are
     * @param whole the whole message
     * @param offset where this fragment's slice starts in {@code whole}
     * @param length the slice's length
     * @return the frame
     */
    static byte[] frame(boolean textual, int messageNumber, int index, int count, byte[] whole, int offset, int length) {
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + length);
        out.put(MAGIC).put((byte) (textual ? 1 : 0)).putInt(messageNumber).putInt(index).putInt(count).putInt(whole.length);
        out.put(whole, offset, length);
        return out.array();
    }

    /**
     * The length of this fragment's slice of the message.
     *
     * @return the payload length
     */
    public int payloadBytes() {
        return frame.length - HEADER_BYTES;
    }
}
