package io.pocketsync.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MessageFramingTest {
    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** A sink that remembers each frame and whether it went as text. */
    private static final class Recorded implements MessageFraming.FrameSink {
        final List<byte[]> frames = new ArrayList<>();
        final List<Boolean> text = new ArrayList<>();

        @Override
        public synchronized boolean write(byte[] frame, boolean asText) {
            frames.add(frame);
            text.add(asText);
            return true;
        }
    }

    @Test
    void nothingIsFragmentedForAPeerThatTakesNoFragments() {
        MessageFraming device = new MessageFraming("test", 100, 1000, false);
        assertThatThrownBy(() -> device.send(random(101, 1), false, "PUSH", new Recorded())).isInstanceOf(PocketSyncException.class)
                .hasMessageContaining("PUSH of 101 bytes exceeds the maximum of 100 (the peer takes no fragments)")
                .satisfies(e -> assertThat(((PocketSyncException) e).code()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE));

        MessageFraming server = new MessageFraming("test", 100, 1000, true);
        Recorded sink = new Recorded();
        assertThat(server.send(random(150, 2), true, "CHANGES", sink)).isTrue();
        assertThat(sink.frames).hasSize(1);
        assertThat(sink.frames.get(0)).hasSize(150);
        assertThat(sink.text).containsExactly(true);
    }

    @Test
    void aLargeMessageGoesAsBinaryFragmentsWithinThePeersFrameBoundAndIsRebuilt() {
        MessageFraming device = new MessageFraming("device", 1000, 10_000, false);
        device.peer(200, 5000);
        byte[] message = random(4000, 3);
        Recorded sink = new Recorded();
        assertThat(device.send(message, true, "PUSH", sink)).isTrue();
        assertThat(sink.frames).hasSize(23).allSatisfy(frame -> assertThat(frame.length).isLessThanOrEqualTo(200));
        assertThat(sink.text).containsOnly(false);

        MessageFraming server = new MessageFraming("server", 200, 5000, true);
        FragmentAssembler.Whole whole = null;
        for (byte[] frame : sink.frames) {
            whole = server.receive(frame, false);
        }
        assertThat(whole.bytes()).isEqualTo(message);
        assertThat(whole.textual()).isTrue();
    }

    @Test
    void aMessageOverThePeersBoundIsRefusedBeforeAnyFrameIsSent() {
        MessageFraming device = new MessageFraming("device", 100, 1000, false);
        device.peer(0, 5000);
        Recorded sink = new Recorded();
        assertThatThrownBy(() -> device.send(random(5001, 4), false, "PUSH", sink))
                .hasMessageContaining("PUSH of 5001 bytes exceeds the peer's maximum of 5000");
        assertThat(sink.frames).isEmpty();
        assertThat(device.peerTakes(5000)).isTrue();
    }

    @Test
    void fragmentsOfConcurrentSendsAreNeverInterleaved() throws Exception {
        MessageFraming server = new MessageFraming("server", 100, 100_000, true);
        server.peer(0, 100_000);
        Recorded sink = new Recorded();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] message = random(2000 + i, i);
            messages.add(message);
            threads.submit(() -> {
                start.await();
                return server.send(message, false, "CHANGES", sink);
            });
        }
        start.countDown();
        threads.shutdown();
        assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        MessageFraming device = new MessageFraming("device", 100, 100_000, false);
        List<Integer> rebuilt = new ArrayList<>();
        for (byte[] frame : sink.frames) {
            FragmentAssembler.Whole whole = device.receive(frame, false); // throws if two messages interleaved
            if (whole != null) {
                rebuilt.add(whole.bytes().length);
            }
        }
        assertThat(rebuilt).containsExactlyInAnyOrder(2000, 2001, 2002, 2003, 2004, 2005, 2006, 2007);
    }

    @Test
    void aSideThatTakesNoFragmentsRefusesOne() {
        MessageFraming sender = new MessageFraming("a", 100, 1000, false);
        sender.peer(0, 1000);
        Recorded sink = new Recorded();
        sender.send(random(300, 5), false, "PUSH", sink);
        MessageFraming old = new MessageFraming("b", 100, 0, false);
        assertThatThrownBy(() -> old.receive(sink.frames.get(0), false)).hasMessageContaining("takes no fragments");
    }

    @Test
    void resetForgetsTheMessageInProgressAndWhatThePeerSaid() {
        MessageFraming sender = new MessageFraming("a", 100, 1000, false);
        sender.peer(0, 1000);
        Recorded sink = new Recorded();
        sender.send(random(300, 6), false, "PUSH", sink);
        MessageFraming receiver = new MessageFraming("b", 100, 1000, false);
        receiver.peer(0, 1000);
        receiver.receive(sink.frames.get(0), false);
        assertThat(receiver.assembling()).isTrue();
        receiver.reset();
        assertThat(receiver.assembling()).isFalse();
        assertThat(receiver.peerTakes(300)).isFalse();
    }
}
