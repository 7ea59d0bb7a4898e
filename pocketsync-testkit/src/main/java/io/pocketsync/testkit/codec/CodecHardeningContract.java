package io.pocketsync.testkit.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.ProtocolVersion;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
/**
 * The first layer of {@link AbstractCodecContractTest}: what a codec must survive, whatever its input (hostile,
 * truncated, corrupted, too deep or too large): it fails with a decoding {@link ErrorCode}, never with anything
 * else. It also holds what both layers share: the codec under test, its limits and the raw-input helpers. A codec's
 * test extends {@link AbstractCodecContractTest}, which runs these tests too.
 */
public abstract class CodecHardeningContract {
    static final List<ErrorCode> DECODE_CODES = List.of(ErrorCode.MALFORMED_MESSAGE, ErrorCode.INVALID_FIELD,
            ErrorCode.MESSAGE_TOO_LARGE, ErrorCode.MESSAGE_TOO_DEEP, ErrorCode.UNKNOWN_MESSAGE_TYPE,
            ErrorCode.PROTOCOL_VERSION_UNSUPPORTED);

    /**
     * The codec under test.
     *
     * @return the codec, configured with {@link #maxMessageBytes()} and {@link #maxDepth()}
     */
    protected abstract Codec codec();

    /**
     * The codec's configured maximum message size.
     *
     * @return the limit in bytes; the default is 32 MiB (the built-in codecs' default: a whole message, rebuilt from
     *         fragments)
     */
    protected int maxMessageBytes() {
        return 32 << 20;
    }

    /**
     * The codec's configured maximum nesting depth (the message's root map is level 1).
     *
     * @return the limit; the default is 32
     */
    protected int maxDepth() {
        return 32;
    }

    /**
     * Writes a test tree in the codec's wire format, or returns null when the format is unknown here.
     *
     * @param tree maps, lists and scalars as {@link WireTrees} builds them
     * @return the encoded bytes, or null
     */
    protected byte[] writeRaw(Object tree) {
        return RawWire.forCodec(codec().name(), tree);
    }

    final byte[] raw(Object tree) {
        byte[] bytes = writeRaw(tree);
        // not skipped: a codec without a raw writer here must bring its own (override writeRaw)
        assertThat(bytes).as("no raw writer for codec %s: override writeRaw(Object)", codec().name()).isNotNull();
        return bytes;
    }

    @Test
    void mutatingAnyNestedFieldNeverThrowsAnythingButPocketSyncException() {
        Object[] replacements = {null, "text", -1L, 1.5, false, List.of(), Map.of(), new byte[] {1},
                BigInteger.ONE.shiftLeft(70)};
        for (Message sample : List.of(MessageSamples.push(), MessageSamples.ack(), MessageSamples.changesMessages().get(2))) {
            Map<String, Object> tree = WireTrees.of(sample);
            List<List<Object>> paths = new ArrayList<>();
            collectPaths(tree, new ArrayList<>(), paths);
            for (List<Object> path : paths) {
                for (Object replacement : replacements) {
                    Object mutated = WireTrees.copy(tree);
                    replace(mutated, path, replacement);
                    assertDecodesOrFailsWithCode(raw(mutated));
                }
            }
        }
    }

    @Test
    void rejectsDeepNestingWithoutOverflowingTheStack() {
        // The deepest input still fits the size limit, so the depth check (not the size check) must catch it.
        for (int depth : new int[] {maxDepth(), maxDepth() + 10, Math.min(100_000, maxMessageBytes() / 4)}) {
            Map<String, Object> tree = WireTrees.of(new Ping(ProtocolVersion.CURRENT, 1));
            tree.put("deep", new RawWire.Nested(depth));
            assertCode(raw(tree), ErrorCode.MESSAGE_TOO_DEEP);
        }
    }

    @Test
    void acceptsNestingUpToTheLimit() {
        Map<String, Object> tree = WireTrees.of(new Ping(ProtocolVersion.CURRENT, 7));
        tree.put("deep", new RawWire.Nested(maxDepth() - 1));
        assertThat(codec().decode(raw(tree))).isEqualTo(new Ping(ProtocolVersion.CURRENT, 7));
    }

    @Test
    void rejectsOversizedInputAndAcceptsInputJustUnderTheLimit() {
        Map<String, Object> tree = WireTrees.of(new Ping(ProtocolVersion.CURRENT, 7));
        tree.put("padding", "x".repeat(maxMessageBytes() - 200));
        byte[] fits = raw(tree);
        assertThat(fits.length).isLessThanOrEqualTo(maxMessageBytes());
        assertThat(codec().decode(fits)).isEqualTo(new Ping(ProtocolVersion.CURRENT, 7));

        tree.put("padding", "x".repeat(maxMessageBytes()));
        assertCode(raw(tree), ErrorCode.MESSAGE_TOO_LARGE);
        assertCode(new byte[maxMessageBytes() + 1], ErrorCode.MESSAGE_TOO_LARGE);
    }

    @Test
    void rejectsEmptyInput() {
        assertDecodeError(new byte[0]);
    }

    @Test
    void rejectsEveryTruncatedPrefix() {
        for (Message sample : MessageSamples.all()) {
            byte[] encoded = codec().encode(sample);
            int step = Math.max(1, encoded.length / 300);
            for (int length = 0; length < encoded.length; length += step) {
                assertDecodeError(java.util.Arrays.copyOf(encoded, length));
            }
            assertDecodeError(java.util.Arrays.copyOf(encoded, encoded.length - 1));
        }
    }

    @Test
    void survivesRandomBytes() {
        Random random = new Random(20240601L);
        for (int i = 0; i < 3000; i++) {
            byte[] garbage = new byte[random.nextInt(256)];
            random.nextBytes(garbage);
            assertDecodesOrFailsWithCode(garbage);
        }
    }

    @Test
    void survivesCorruptedEncodings() {
        Random random = new Random(42L);
        List<Message> samples = MessageSamples.all();
        for (int i = 0; i < 3000; i++) {
            byte[] bytes = codec().encode(samples.get(random.nextInt(samples.size())));
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            assertDecodesOrFailsWithCode(bytes);
        }
    }

    @Test
    void rejectsTrailingGarbage() {
        byte[] valid = codec().encode(MessageSamples.pull());
        byte[] twice = new byte[valid.length * 2];
        System.arraycopy(valid, 0, twice, 0, valid.length);
        System.arraycopy(valid, 0, twice, valid.length, valid.length);
        assertDecodeError(twice);
    }

    /**
     * Asserts decoding fails with {@code expected}.
     *
     * @param bytes the input
     * @param expected the code the failure must carry
     */
    protected final void assertCode(byte[] bytes, ErrorCode expected) {
        assertThatThrownBy(() -> codec().decode(bytes))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(expected));
    }

    /**
     * Asserts decoding fails with one of the decoding error codes.
     *
     * @param bytes the input
     */
    protected final void assertDecodeError(byte[] bytes) {
        assertThatThrownBy(() -> codec().decode(bytes))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isIn(DECODE_CODES));
    }

    void assertDecodesOrFailsWithCode(byte[] bytes) {
        try {
            assertThat(codec().decode(bytes)).isNotNull();
        }
        catch (PocketSyncException e) {
            assertThat(e.code()).isIn(DECODE_CODES);
        }
        catch (RuntimeException | StackOverflowError e) {
            fail("decoding threw " + e + " instead of PocketSyncException", e);
        }
    }

    static boolean sameWireType(Object a, Object b) {
        if (a instanceof Map || b instanceof Map) {
            return a instanceof Map && b instanceof Map;
        }
        if (a instanceof List || b instanceof List) {
            return a instanceof List && b instanceof List;
        }
        return a != null && a.getClass() == b.getClass();
    }

    @SuppressWarnings("unchecked")
    static void collectPaths(Object node, List<Object> prefix, List<List<Object>> out) {
        if (node instanceof Map) {
            for (Map.Entry<String, Object> entry : ((Map<String, Object>) node).entrySet()) {
                List<Object> path = new ArrayList<>(prefix);
                path.add(entry.getKey());
                out.add(path);
                collectPaths(entry.getValue(), path, out);
            }
        }
        else if (node instanceof List) {
            List<Object> list = (List<Object>) node;
            for (int i = 0; i < list.size(); i++) {
                List<Object> path = new ArrayList<>(prefix);
                path.add(i);
                out.add(path);
                collectPaths(list.get(i), path, out);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static void replace(Object root, List<Object> path, Object value) {
        Object node = root;
        for (int i = 0; i < path.size() - 1; i++) {
            Object step = path.get(i);
            node = step instanceof Integer ? ((List<Object>) node).get((Integer) step) : ((Map<String, Object>) node).get(step);
        }
        Object last = path.get(path.size() - 1);
        if (last instanceof Integer) {
            ((List<Object>) node).set((Integer) last, value);
        }
        else {
            ((Map<String, Object>) node).put((String) last, value);
        }
    }

    /**
     * A map with insertion order, for subclasses building their own trees.
     *
     * @return an empty, mutable, insertion-ordered map
     */
    protected static Map<String, Object> orderedMap() {
        return new LinkedHashMap<>();
    }
}
