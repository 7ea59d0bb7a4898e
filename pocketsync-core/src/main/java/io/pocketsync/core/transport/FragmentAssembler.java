package io.pocketsync.core.transport;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import org.jspecify.annotations.Nullable;

/**
 * Rebuilds messages from the {@link Fragment} frames of one connection. The fragments of a message arrive in order
 * and back to back: a fragment out of order, one of another message or a whole message in the middle, or a total over
 * {@code maxMessageBytes} is an error (the caller closes the connection). A repeat of the fragment just taken (an MQTT
 * QoS 1 redelivery) is ignored. The buffer is allocated once, at the first fragment, at the announced length, and
 * dropped when the message is complete, on an error and on {@link #reset} (the connection closed).
 *
 * <p>Not thread-safe: one connection's frames come from one thread, or under the caller's lock.
 */
public final class FragmentAssembler {
    private final int maxMessageBytes;
    private byte @Nullable [] buffer;
    private boolean textual;
    private int number;
    private int count;
    private int nextIndex;
    private int filled;

    /**
     * An assembler with nothing in progress.
     *
     * @param maxMessageBytes the largest whole message it rebuilds
     */
    public FragmentAssembler(int maxMessageBytes) {
        if (maxMessageBytes < 1) {
            throw new IllegalArgumentException("maxMessageBytes must be positive");
        }
        this.maxMessageBytes = maxMessageBytes;
    }

    /** A rebuilt (or never cut) message and whether it is text. */
    public record Whole(byte[] bytes, boolean textual) {
    }

    /**
     * Takes one received frame.
     *
     * @param frame the frame
     * @param textFrame whether the frame came as text (a whole JSON message; fragments are binary)
     * @return the whole message once complete (at once for a frame that is not a fragment), or null while parts are missing
     * @throws PocketSyncException with {@link ErrorCode#MESSAGE_TOO_LARGE} for a message over the bound, or
     *         {@link ErrorCode#MALFORMED_MESSAGE} for a fragment out of order or interleaved; nothing stays in progress
     */
    public @Nullable Whole accept(byte[] frame, boolean textFrame) {
        if (textFrame || !Fragment.isFragment(frame)) {
            if (buffer != null) {
                String missing = "message " + number + " lacks fragments " + nextIndex + " to " + (count - 1);
                reset();
                throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "a whole message arrived while " + missing);
            }
            return new Whole(frame, textFrame);
        }
        Fragment fragment;
        try {
            fragment = Fragment.parse(frame);
        }
        catch (PocketSyncException e) {
            reset();
            throw e;
        }
        if (buffer == null) {
            start(fragment);
        }
        else if (fragment.messageNumber() == number && fragment.index() == nextIndex - 1) {
            return null; // the fragment just taken, delivered again
        }
        else if (fragment.messageNumber() != number || fragment.index() != nextIndex || fragment.count() != count
                || fragment.totalBytes() != buffer.length || fragment.textual() != textual) {
            String expected = "fragment " + nextIndex + " of " + count + " of message " + number;
            reset();
            throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "fragment " + fragment.index() + " of " + fragment.count()
                    + " of message " + fragment.messageNumber() + " arrived where " + expected + " was due");
        }
        byte[] target = buffer;
        if (fragment.payloadBytes() > target.length - filled
                || fragment.index() == count - 1 && filled + fragment.payloadBytes() != target.length) {
            int announced = target.length;
            int had = filled;
            reset();
            throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "fragments of message " + fragment.messageNumber()
                    + " carry " + (had + fragment.payloadBytes()) + " bytes by fragment " + fragment.index() + " of " + count
                    + "; the first announced " + announced);
        }
        System.arraycopy(frame, Fragment.HEADER_BYTES, target, filled, fragment.payloadBytes());
        filled += fragment.payloadBytes();
        nextIndex++;
        if (nextIndex < count) {
            return null;
        }
        Whole whole = new Whole(target, textual);
        reset();
        return whole;
    }

    private void start(Fragment fragment) {
        if (fragment.index() != 0) {
            throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "fragment " + fragment.index() + " of " + fragment.count()
                    + " of message " + fragment.messageNumber() + " arrived before its first fragment");
        }
        if (fragment.totalBytes() > maxMessageBytes) {
            throw new PocketSyncException(ErrorCode.MESSAGE_TOO_LARGE, "fragmented message of " + fragment.totalBytes()
                    + " bytes exceeds the maximum of " + maxMessageBytes);
        }
        buffer = new byte[fragment.totalBytes()];
        textual = fragment.textual();
        number = fragment.messageNumber();
        count = fragment.count();
        nextIndex = 0;
        filled = 0;
    }

    /**
     * Whether a message is partly received.
     *
     * @return true between its first and last fragment
     */
    public boolean inProgress() {
        return buffer != null;
    }

    /** Drops a message in progress (the connection closed or failed). */
    public void reset() {
        buffer = null;
        count = 0;
        nextIndex = 0;
        filled = 0;
    }
}
