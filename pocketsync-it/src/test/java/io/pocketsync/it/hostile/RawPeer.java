package io.pocketsync.it.hostile;

import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.testkit.transport.TestingPluginContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A hand-driven connection to the server that sends raw bytes and records the decoded answers. Thread-safe. */
abstract class RawPeer implements AutoCloseable {
    private static final TestingPluginContext CODECS = new TestingPluginContext("hostile-peer");
    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final AtomicInteger undecodable = new AtomicInteger();
    protected final AtomicInteger closeCode = new AtomicInteger();

    abstract void send(Frame frame) throws Exception;

    Observed observed() {
        return new Observed(List.copyOf(messages), undecodable.get(), closeCode.get());
    }

    /** Records an answer; {@code json} picks the codec. */
    protected void received(byte[] bytes, boolean json) {
        Codec codec = CODECS.codec(json ? "json" : "cbor");
        try {
            messages.add(codec.decode(bytes));
        }
        catch (RuntimeException e) {
            undecodable.incrementAndGet();
        }
    }

    @Override
    public abstract void close();
}
