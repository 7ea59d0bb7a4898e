package io.pocketsync.core.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cuts an encoded message into {@link Fragment} frames of at most {@code maxFrameBytes} each, header included; a message
 * that fits one frame is left whole. Each message gets the next number of this splitter (one per connection side).
 *
 * <p>Thread-safe.
 */
public final class MessageSplitter {
    private final AtomicInteger numbers = new AtomicInteger();

    /**
     * Writes the frames that carry {@code whole} one by one, each built just before it is written, so that no more
     * than one fragment's copy of the message exists besides the message itself.
     *
     * @param whole the encoded message
     * @param textual whether it is text (JSON)
     * @param maxFrameBytes the largest frame, more than {@link Fragment#HEADER_BYTES}
     * @param sink writes a frame; {@code whole} itself goes as text when it fits one frame and is textual
     * @return false as soon as the sink refuses a frame
     */
    public boolean write(byte[] whole, boolean textual, int maxFrameBytes, MessageFraming.FrameSink sink) {
        if (whole.length <= maxFrameBytes) {
            return sink.write(whole, textual);
        }
        if (maxFrameBytes <= Fragment.HEADER_BYTES) {
            throw new IllegalArgumentException("frames of " + maxFrameBytes + " bytes cannot carry fragments");
        }
        int slice = maxFrameBytes - Fragment.HEADER_BYTES;
        int count = (int) ((whole.length + (long) slice - 1) / slice);
        int number = numbers.incrementAndGet();
        for (int i = 0; i < count; i++) {
            int offset = i * slice;
            if (!sink.write(Fragment.frame(textual, number, i, count, whole, offset, Math.min(slice, whole.length - offset)), false)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The frames that carry {@code whole}, all at once.
     *
     * @param whole the encoded message
     * @param textual whether it is text (JSON)
     * @param maxFrameBytes the largest frame, more than {@link Fragment#HEADER_BYTES}
     * @return {@code whole} alone when it fits, else its fragments in order
     */
    public List<byte[]> split(byte[] whole, boolean textual, int maxFrameBytes) {
        if (maxFrameBytes <= Fragment.HEADER_BYTES) {
            throw new IllegalArgumentException("frames of " + maxFrameBytes + " bytes cannot carry fragments");
        }
        if (whole.length <= maxFrameBytes) {
            return List.of(whole);
        }
        int slice = maxFrameBytes - Fragment.HEADER_BYTES;
        int count = (int) ((whole.length + (long) slice - 1) / slice);
        int number = numbers.incrementAndGet();
        List<byte[]> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int offset = i * slice;
            frames.add(Fragment.frame(textual, number, i, count, whole, offset, Math.min(slice, whole.length - offset)));
        }
        return frames;
    }
}
