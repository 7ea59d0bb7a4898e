package io.pocketsync.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FragmentAssemblerTest {
    private final MessageSplitter splitter = new MessageSplitter();

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void aMessageThatFitsOneFrameIsLeftWhole() {
        byte[] message = "{\"type\":\"PING\"}".getBytes(StandardCharsets.UTF_8);
        List<byte[]> frames = splitter.split(message, true, 64);
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0)).isSameAs(message);
        FragmentAssembler.Whole whole = new FragmentAssembler(1024).accept(message, true);
        assertThat(whole.bytes()).isSameAs(message);
        assertThat(whole.textual()).isTrue();
    }

    @Test
    void fragmentsAreRebuiltIntoTheSameBytesAtEverySizeAroundTheFrameBound() {
        for (int size : new int[] {101, 179, 180, 181, 358, 359, 360, 1000, 10_000}) {
            byte[] message = random(size, size);
            List<byte[]> frames = splitter.split(message, false, 100);
            assertThat(frames).allSatisfy(frame -> assertThat(frame.length).isLessThanOrEqualTo(100));
            assertThat(frames).allSatisfy(frame -> assertThat(Fragment.isFragment(frame)).isTrue());
            FragmentAssembler assembler = new FragmentAssembler(size);
            FragmentAssembler.Whole whole = null;
            for (int i = 0; i < frames.size(); i++) {
                whole = assembler.accept(frames.get(i), false);
                assertThat(whole == null).as("complete only at the last fragment").isEqualTo(i < frames.size() - 1);
            }
            assertThat(whole.bytes()).isEqualTo(message);
            assertThat(whole.textual()).isFalse();
            assertThat(assembler.inProgress()).isFalse();
        }
    }

    @Test
    void theTextFlagTravelsWithTheFragments() {
        byte[] message = "{\"text\":\"ünïcödé ✓ 𝄞\"}".repeat(50).getBytes(StandardCharsets.UTF_8);
        FragmentAssembler assembler = new FragmentAssembler(1 << 20);
        FragmentAssembler.Whole whole = null;
        for (byte[] frame : splitter.split(message, true, 64)) {
            whole = assembler.accept(frame, false);
        }
        assertThat(whole.textual()).isTrue();
        assertThat(new String(whole.bytes(), StandardCharsets.UTF_8)).isEqualTo(new String(message, StandardCharsets.UTF_8));
    }

    @Test
    void aRepeatOfTheFragmentJustTakenIsIgnored() {
        byte[] message = random(500, 1);
        List<byte[]> frames = splitter.split(message, false, 100);
        FragmentAssembler assembler = new FragmentAssembler(1000);
        FragmentAssembler.Whole whole = null;
        for (byte[] frame : frames) {
            whole = assembler.accept(frame, false);
            if (whole == null) {
                assertThat(assembler.accept(frame, false)).isNull();
            }
        }
        assertThat(whole.bytes()).isEqualTo(message);
    }

    @Test
    void aFragmentOutOfOrderIsRefusedAndNothingStaysBuffered() {
        List<byte[]> frames = splitter.split(random(500, 2), false, 100);
        FragmentAssembler assembler = new FragmentAssembler(1000);
        assembler.accept(frames.get(0), false);
        assertThatThrownBy(() -> assembler.accept(frames.get(2), false)).isInstanceOf(PocketSyncException.class)
                .hasMessageContaining("fragment 2 of " + frames.size()).hasMessageContaining("fragment 1 of " + frames.size())
                .satisfies(e -> assertThat(((PocketSyncException) e).code()).isEqualTo(ErrorCode.MALFORMED_MESSAGE));
        assertThat(assembler.inProgress()).isFalse();
    }

    @Test
    void aMessageThatDoesNotStartAtItsFirstFragmentIsRefused() {
        List<byte[]> frames = splitter.split(random(500, 3), false, 100);
        assertThatThrownBy(() -> new FragmentAssembler(1000).accept(frames.get(1), false))
                .hasMessageContaining("before its first fragment");
    }

    @Test
    void fragmentsOfTwoMessagesMustNotInterleave() {
        List<byte[]> first = splitter.split(random(300, 4), false, 100);
        List<byte[]> second = splitter.split(random(300, 5), false, 100);
        FragmentAssembler assembler = new FragmentAssembler(1000);
        assembler.accept(first.get(0), false);
        assertThatThrownBy(() -> assembler.accept(second.get(0), false)).isInstanceOf(PocketSyncException.class)
                .hasMessageContaining("of message " + Fragment.parse(first.get(0)).messageNumber() + " was due");
    }

    @Test
    void aWholeMessageBetweenFragmentsIsRefused() {
        List<byte[]> frames = splitter.split(random(300, 6), false, 100);
        FragmentAssembler assembler = new FragmentAssembler(1000);
        assembler.accept(frames.get(0), false);
        assertThatThrownBy(() -> assembler.accept("{\"type\":\"PING\",\"v\":1}".getBytes(StandardCharsets.UTF_8), true))
                .hasMessageContaining("a whole message arrived while message").hasMessageContaining("lacks fragments 1 to");
        assertThat(assembler.inProgress()).isFalse();
    }

    @Test
    void aMessageAnnouncedOverTheBoundIsRefusedBeforeAnythingIsBuffered() {
        List<byte[]> frames = splitter.split(random(2000, 7), false, 100);
        FragmentAssembler assembler = new FragmentAssembler(1999);
        assertThatThrownBy(() -> assembler.accept(frames.get(0), false)).isInstanceOf(PocketSyncException.class)
                .hasMessageContaining("2000 bytes exceeds the maximum of 1999")
                .satisfies(e -> assertThat(((PocketSyncException) e).code()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE));
        assertThat(assembler.inProgress()).isFalse();
    }

    @Test
    void fragmentsCarryingMoreOrFewerBytesThanAnnouncedAreRefused() {
        byte[] message = random(300, 8);
        List<byte[]> frames = new ArrayList<>(splitter.split(message, false, 100));
        byte[] last = frames.get(frames.size() - 1);
        byte[] shortLast = java.util.Arrays.copyOf(last, last.length - 1);
        FragmentAssembler assembler = new FragmentAssembler(1000);
        for (int i = 0; i < frames.size() - 1; i++) {
            assembler.accept(frames.get(i), false);
        }
        assertThatThrownBy(() -> assembler.accept(shortLast, false)).hasMessageContaining("the first announced 300");

        byte[] longFrame = java.util.Arrays.copyOf(frames.get(0), frames.get(0).length + 400);
        assertThatThrownBy(() -> new FragmentAssembler(1000).accept(longFrame, false)).hasMessageContaining("the first announced 300");
    }

    @Test
    void aBrokenHeaderIsRefused() {
        byte[] frame = splitter.split(random(300, 9), false, 100).get(0);
        frame[4] = 7; // unknown flags
        assertThatThrownBy(() -> new FragmentAssembler(1000).accept(frame, false)).hasMessageContaining("invalid fragment header");
        assertThatThrownBy(() -> new FragmentAssembler(1000).accept(new byte[] {'P', 'S', 'F', '1', 0}, false))
                .hasMessageContaining("has no payload");
    }

    @Test
    void resetDropsAMessageInProgressSoTheNextConnectionStartsClean() {
        List<byte[]> frames = splitter.split(random(300, 10), false, 100);
        FragmentAssembler assembler = new FragmentAssembler(1000);
        assembler.accept(frames.get(0), false);
        assertThat(assembler.inProgress()).isTrue();
        assembler.reset();
        assertThat(assembler.inProgress()).isFalse();
        byte[] next = random(250, 11);
        FragmentAssembler.Whole whole = null;
        for (byte[] frame : splitter.split(next, false, 100)) {
            whole = assembler.accept(frame, false);
        }
        assertThat(whole.bytes()).isEqualTo(next);
    }

    @Test
    void aFrameStartingWithTheMagicIsNeverAValidWholeMessage() {
        // JSON messages start with '{', CBOR maps with 0xA0-0xBF: 'P' (a CBOR byte string) is neither
        assertThat(Fragment.isFragment("{\"type\":\"PING\"}".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(Fragment.isFragment(new byte[] {(byte) 0xA3, 1, 2, 3})).isFalse();
        assertThat(Fragment.isFragment(new byte[] {'P', 'S'})).isFalse();
    }
}
