package io.pocketsync.core.transport;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import org.jspecify.annotations.Nullable;

/**
 * Frames of one connection side (docs/protocol.md, "Fragments"): an encoded message that fits one frame goes whole;
 * a larger one goes as {@link Fragment}s, back to back, when the peer said it rebuilds messages that large (its HELLO
 * or WELCOME {@code maxAssembled}). Received frames go through a {@link FragmentAssembler} bounded by
 * {@code maxAssembledBytes}.
 *
 * <p>Thread-safe: sends are serialised, so the fragments of one message are never interleaved with another message;
 * receiving and {@link #reset} share another lock, so a close never tears a message being rebuilt.
 */
public final class MessageFraming {
    /** Where frames go. */
    @FunctionalInterface
    public interface FrameSink {
        /**
         * Writes one frame.
         *
         * @param frame the bytes
         * @param text whether to send it as text (a whole JSON message on WebSocket); fragments are binary
         * @return false when the connection cannot take it
         */
        boolean write(byte[] frame, boolean text);
    }

    /** The default bound of a rebuilt message: 32 MiB, a 16 MiB BLOB row in JSON (base64, 21.4 MiB) and room to spare. */
    public static final int DEFAULT_MAX_ASSEMBLED_BYTES = 32 << 20;
    /** Config key of the bound of a rebuilt message, the same in every built-in transport. */
    public static final String MAX_ASSEMBLED_BYTES = "max-assembled-bytes";

    private final String connection;
    private final int maxFrameBytes;
    private final int maxAssembledBytes;
    private final MessageSplitter splitter = new MessageSplitter();
    private final FragmentAssembler assembler;
    private final boolean wholeToOlderPeers;
    private volatile int peerFrameBytes;
    private volatile int peerAssembledBytes;

    /**
     * Framing with nothing known of the peer yet: until it says otherwise, nothing is fragmented.
     *
     * @param connection names the connection in errors
     * @param maxFrameBytes the largest frame this side sends or takes; fragments need more than twice their header
     * @param maxAssembledBytes the largest message this side rebuilds from fragments
     * @param wholeToOlderPeers send a message larger than a frame whole to a peer that takes no fragments, as before
     *        fragments existed (the server side: an older device may take it); false refuses it
     */
    public MessageFraming(String connection, int maxFrameBytes, int maxAssembledBytes, boolean wholeToOlderPeers) {
        this.connection = requireNonNull(connection, "connection is null");
        this.maxFrameBytes = maxFrameBytes;
        this.maxAssembledBytes = maxAssembledBytes;
        this.assembler = new FragmentAssembler(Math.max(1, maxAssembledBytes));
        this.wholeToOlderPeers = wholeToOlderPeers;
    }

    /**
     * The largest frame this side sends or takes.
     *
     * @return bytes
     */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /**
     * The largest message this side rebuilds from fragments (what it announces to the peer).
     *
     * @return bytes
     */
    public int maxAssembledBytes() {
        return maxAssembledBytes;
    }

    /**
     * What the peer announced: 0 for {@code assembledBytes} means it takes no fragments (an older peer); 0 for
     * {@code frameBytes} means it did not say (this side's frame bound applies).
     *
     * @param frameBytes the largest frame the peer takes, or 0
     * @param assembledBytes the largest message the peer rebuilds, or 0
     */
    public void peer(int frameBytes, int assembledBytes) {
        this.peerFrameBytes = Math.max(0, frameBytes);
        this.peerAssembledBytes = Math.max(0, assembledBytes);
    }

    /**
     * Whether the peer rebuilds messages of this size from fragments.
     *
     * @param bytes an encoded message's length
     * @return true when it fits one frame, or the peer takes it in fragments
     */
    public boolean peerTakes(long bytes) {
        int frame = frameBytes();
        // a frame must hold a header and a useful slice
        return bytes <= frame || frame > Fragment.HEADER_BYTES * 2 && bytes <= peerAssembledBytes;
    }

    /**
     * Sends an encoded message whole or as fragments, all back to back.
     *
     * @param encoded the encoded message
     * @param textual whether it is text (JSON)
     * @param what names the message in the error
     * @param sink writes frames
     * @return false when the sink refused a frame (the connection is going away)
     * @throws PocketSyncException with {@link ErrorCode#MESSAGE_TOO_LARGE} when the peer takes no message that large;
     *         nothing was sent then
     */
    public synchronized boolean send(byte[] encoded, boolean textual, String what, FrameSink sink) {
        int frame = frameBytes();
        if (encoded.length > frame && peerAssembledBytes == 0 && wholeToOlderPeers) {
            return sink.write(encoded, textual);
        }
        if (!peerTakes(encoded.length)) {
            throw new PocketSyncException(ErrorCode.MESSAGE_TOO_LARGE, what + " of " + encoded.length + " bytes exceeds the "
                    + (peerAssembledBytes > 0 ? "peer's maximum of " + peerAssembledBytes : "maximum of " + frame
                            + " (the peer takes no fragments)"));
        }
        return splitter.write(encoded, textual, frame, sink);
    }

    /**
     * Takes one received frame.
     *
     * @param frame the frame
     * @param textFrame whether it came as text
     * @return the whole message, or null while fragments are missing
     * @throws PocketSyncException with {@link ErrorCode#MESSAGE_TOO_LARGE} or {@link ErrorCode#MALFORMED_MESSAGE} for
     *         fragments over the bound, out of order or interleaved; the caller closes the connection
     */
    public FragmentAssembler.@Nullable Whole receive(byte[] frame, boolean textFrame) {
        if (maxAssembledBytes <= 0 && Fragment.isFragment(frame)) {
            throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, connection + " takes no fragments");
        }
        synchronized (assembler) {
            return assembler.accept(frame, textFrame);
        }
    }

    /**
     * Whether a received message is partly rebuilt.
     *
     * @return true between its first and last fragment
     */
    public boolean assembling() {
        synchronized (assembler) {
            return assembler.inProgress();
        }
    }

    /** Forgets a partly received message and what the peer announced (the connection closed or starts over). */
    public void reset() {
        synchronized (assembler) {
            assembler.reset();
        }
        peerFrameBytes = 0;
        peerAssembledBytes = 0;
    }

    private int frameBytes() {
        int peerFrame = peerFrameBytes;
        return peerFrame > Fragment.HEADER_BYTES * 2 ? Math.min(maxFrameBytes, peerFrame) : maxFrameBytes;
    }
}
