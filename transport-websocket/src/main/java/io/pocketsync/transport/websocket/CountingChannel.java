package io.pocketsync.transport.websocket;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.concurrent.atomic.AtomicLong;
import org.java_websocket.WrappedByteChannel;

/**
 * A device's socket channel that counts the bytes Java-WebSocket's selector thread takes from the connection's
 * write queue (the plain bytes consumed from each buffer, also under TLS, where fewer or more bytes reach the wire).
 * See {@link CountingDraft} for the other half of the count. {@link #wrap} keeps a TLS channel's
 * {@link WrappedByteChannel} nature, which the selector loop asks for.
 *
 * <p>Reads and writes come from the selector thread; {@link #written} from any.
 */
class CountingChannel implements ByteChannel {
    private final ByteChannel delegate;
    private final AtomicLong written = new AtomicLong();

    CountingChannel(ByteChannel delegate) {
        this.delegate = requireNonNull(delegate, "delegate is null");
    }

    /** Wraps {@code channel}, keeping its {@link WrappedByteChannel} methods when it has them. */
    static CountingChannel wrap(ByteChannel channel) {
        return channel instanceof WrappedByteChannel wrapped ? new Wrapped(wrapped) : new CountingChannel(channel);
    }

    /** Bytes taken from the write queue's buffers so far. */
    long written() {
        return written.get();
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
        int before = source.remaining();
        try {
            return delegate.write(source);
        }
        finally {
            written.addAndGet(before - source.remaining());
        }
    }

    @Override
    public int read(ByteBuffer target) throws IOException {
        return delegate.read(target);
    }

    @Override
    public boolean isOpen() {
        return delegate.isOpen();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    /** A TLS channel: Java-WebSocket drives its handshake and buffered records through these methods. */
    private static final class Wrapped extends CountingChannel implements WrappedByteChannel {
        private final WrappedByteChannel wrapped;

        Wrapped(WrappedByteChannel wrapped) {
            super(wrapped);
            this.wrapped = wrapped;
        }

        @Override
        public boolean isNeedWrite() {
            return wrapped.isNeedWrite();
        }

        @Override
        public void writeMore() throws IOException {
            wrapped.writeMore();
        }

        @Override
        public boolean isNeedRead() {
            return wrapped.isNeedRead();
        }

        @Override
        public int readMore(ByteBuffer target) throws IOException {
            return wrapped.readMore(target);
        }

        @Override
        public boolean isBlocking() {
            return wrapped.isBlocking();
        }
    }
}
