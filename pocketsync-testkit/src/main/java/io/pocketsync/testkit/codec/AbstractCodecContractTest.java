package io.pocketsync.testkit.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.MessageType;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.ProtocolVersion;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The contract every {@link Codec} must meet. A codec's test extends this class and implements
 * {@link #codec()}; override {@link #maxMessageBytes()} / {@link #maxDepth()} when the codec under test
 * is configured with other limits than the defaults (1 MiB, 32).
 *
 * <p>Tests that build input by hand ({@link WireTrees} written with {@link RawWire}) run for codecs
 * named {@code json} or {@code cbor}; for another wire format override {@link #writeRaw(Object)}.
 */
public abstract class AbstractCodecContractTest {
    private static final List<ErrorCode> DECODE_CODES = List.of(ErrorCode.MALFORMED_MESSAGE, ErrorCode.INVALID_FIELD,
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

    private byte[] raw(Object tree) {
        byte[] bytes = writeRaw(tree);
        assumeTrue(bytes != null, "no raw writer for codec " + codec().name());
        return bytes;
    }

    @TestFactory
    Stream<DynamicTest> roundTripsEverySample() {
        List<Message> samples = MessageSamples.all();
        return java.util.stream.IntStream.range(0, samples.size()).mapToObj(i -> {
            Message sample = samples.get(i);
            return DynamicTest.dynamicTest("#" + i + " " + MessageSamples.label(sample),
                    () -> assertThat(codec().decode(codec().encode(sample))).isEqualTo(sample));
        });
    }

    @TestFactory
    Stream<DynamicTest> readsTheDocumentedFormat() {
        List<Message> samples = MessageSamples.all();
        return java.util.stream.IntStream.range(0, samples.size()).mapToObj(i -> {
            Message sample = samples.get(i);
            return DynamicTest.dynamicTest("#" + i + " " + MessageSamples.label(sample),
                    () -> assertThat(codec().decode(raw(WireTrees.of(sample)))).isEqualTo(sample));
        });
    }

    @Test
    void hasANameAndTextualCodecsWriteUtf8() throws CharacterCodingException {
        assertThat(codec().name()).isNotBlank();
        if (codec().textual()) {
            for (Message sample : MessageSamples.all()) {
                StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(codec().encode(sample)));
            }
        }
    }

    @Test
    void ignoresUnknownFieldsAtEveryLevel() {
        Map<String, Object> tree = WireTrees.of(MessageSamples.ack());
        tree.put("future-field", Map.of("nested", List.of(1L, "two", 3.0, Map.of())));
        tree.put("another", null);
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) ((List<Object>) tree.get("results")).get(3);
        result.put("extra", List.of());
        @SuppressWarnings("unchecked")
        Map<String, Object> winner = (Map<String, Object>) result.get("winner");
        winner.put("extra", true);

        assertThat(codec().decode(raw(tree))).isEqualTo(MessageSamples.ack());
    }

    @Test
    void rejectsUnknownTypeUnsupportedVersionAndMissingHeader() {
        Map<String, Object> unknownType = WireTrees.of(MessageSamples.pull());
        unknownType.put("type", "TELEPORT");
        assertCode(raw(unknownType), ErrorCode.UNKNOWN_MESSAGE_TYPE);

        Map<String, Object> futureVersion = WireTrees.of(MessageSamples.pull());
        futureVersion.put("v", (long) ProtocolVersion.CURRENT + 1);
        assertCode(raw(futureVersion), ErrorCode.PROTOCOL_VERSION_UNSUPPORTED);

        Map<String, Object> versionZero = WireTrees.of(MessageSamples.pull());
        versionZero.put("v", 0L);
        assertCode(raw(versionZero), ErrorCode.PROTOCOL_VERSION_UNSUPPORTED);

        Map<String, Object> noType = WireTrees.of(MessageSamples.pull());
        noType.remove("type");
        assertCode(raw(noType), ErrorCode.MALFORMED_MESSAGE);

        Map<String, Object> noVersion = WireTrees.of(MessageSamples.pull());
        noVersion.remove("v");
        assertCode(raw(noVersion), ErrorCode.MALFORMED_MESSAGE);
    }

    @Test
    void rejectsRootsThatAreNotMaps() {
        for (Object root : List.of(List.of(), "PING", 1L, 2.5, true, new ArrayList<>(List.of(WireTrees.of(MessageSamples.pull()))))) {
            assertDecodeError(raw(root));
        }
        byte[] nullRoot = writeRaw(null);
        if (nullRoot != null) {
            assertDecodeError(nullRoot);
        }
    }

    @Test
    void everyRequiredFieldIsRequired() {
        for (Message sample : MessageSamples.all()) {
            Map<String, Object> tree = WireTrees.of(sample);
            for (String field : tree.keySet()) {
                if (java.util.Set.of("ref", "number", "seqs", "own", "time", "maxRow", "maxAssembled", "self").contains(field)) { // the optional ones
                    continue;
                }
                boolean verification = sample.type() == MessageType.VERIFY || sample.type() == MessageType.CHECKSUMS;
                if (verification && !java.util.Set.of("type", "v", "id", "seq").contains(field)) {
                    continue; // which lists a VERIFY or CHECKSUMS has follows the question (protocol.md 4.2)
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> mutated = (Map<String, Object>) WireTrees.copy(tree);
                mutated.remove(field);
                assertThatThrownBy(() -> codec().decode(raw(mutated)))
                        .as("%s without '%s'", sample.type(), field)
                        .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code())
                                .isIn(ErrorCode.MALFORMED_MESSAGE, ErrorCode.INVALID_FIELD, ErrorCode.UNKNOWN_MESSAGE_TYPE));
            }
        }
    }

    @Test
    void rejectsAChangeMissingAField() {
        for (String field : List.of("id", "table", "gid", "op", "row", "cols", "hlc", "device")) {
            Map<String, Object> tree = WireTrees.of(MessageSamples.push());
            @SuppressWarnings("unchecked")
            Map<String, Object> change = (Map<String, Object>) ((List<Object>) tree.get("changes")).get(1);
            change.remove(field);
            assertCode(raw(tree), ErrorCode.MALFORMED_MESSAGE);
        }
    }

    @Test
    void rejectsWrongFieldTypes() {
        Object[] wrongValues = {"text", 12L, 1.5, true, List.of("x"), Map.of("k", "v"), new byte[] {1}};
        for (Message sample : MessageSamples.all()) {
            Map<String, Object> tree = WireTrees.of(sample);
            for (Map.Entry<String, Object> field : tree.entrySet()) {
                for (Object wrong : wrongValues) {
                    if (sameWireType(field.getValue(), wrong)) {
                        continue;
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, Object> mutated = (Map<String, Object>) WireTrees.copy(tree);
                    mutated.put(field.getKey(), wrong);
                    assertThatThrownBy(() -> codec().decode(raw(mutated)))
                            .as("%s with %s = %s", sample.type(), field.getKey(), wrong)
                            .isInstanceOf(PocketSyncException.class);
                }
            }
        }
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
    void rejectsNumbersOutOfRange() {
        for (Object huge : List.of(BigInteger.ONE.shiftLeft(64), BigInteger.ONE.shiftLeft(64).negate(),
                BigInteger.TEN.pow(200))) {
            Map<String, Object> tree = WireTrees.of(new Ping(ProtocolVersion.CURRENT, 1));
            tree.put("nonce", huge);
            assertCode(raw(tree), ErrorCode.INVALID_FIELD);
        }
        Map<String, Object> negativeCursor = WireTrees.of(MessageSamples.pull());
        negativeCursor.put("cursor", -1L);
        assertCode(raw(negativeCursor), ErrorCode.INVALID_FIELD);

        Map<String, Object> hugeLimit = WireTrees.of(MessageSamples.pull());
        hugeLimit.put("limit", 1L << 40);
        assertCode(raw(hugeLimit), ErrorCode.INVALID_FIELD);

        Map<String, Object> realVersion = WireTrees.of(MessageSamples.pull());
        realVersion.put("v", 1.0);
        assertCode(raw(realVersion), ErrorCode.INVALID_FIELD);

        Map<String, Object> backwards = WireTrees.of(MessageSamples.changesMessages().get(0));
        backwards.put("from", 100L);
        backwards.put("cursor", 99L);
        assertCode(raw(backwards), ErrorCode.INVALID_FIELD);
    }

    @Test
    void readsOptionalSequencesAndChecksTheirLength() {
        Changes withSequences = MessageSamples.changesMessages().get(4);
        assertThat(codec().decode(raw(WireTrees.of(withSequences)))).isEqualTo(withSequences);

        Map<String, Object> absent = WireTrees.of(MessageSamples.changesMessages().get(0));
        assertThat(absent).doesNotContainKey("seqs");
        assertThat(((Changes) codec().decode(raw(absent))).sequences()).isEmpty();

        Map<String, Object> tooMany = WireTrees.of(withSequences);
        tooMany.put("seqs", List.of(13L, 14L));
        assertCode(raw(tooMany), ErrorCode.INVALID_FIELD);

        Map<String, Object> notPositive = WireTrees.of(withSequences);
        notPositive.put("seqs", List.of(0L));
        assertCode(raw(notPositive), ErrorCode.INVALID_FIELD);

        Map<String, Object> notIntegers = WireTrees.of(withSequences);
        notIntegers.put("seqs", List.of("13"));
        assertCode(raw(notIntegers), ErrorCode.INVALID_FIELD);
    }

    @Test
    void rejectsUnknownEnumValues() {
        Map<String, Object> tree = WireTrees.of(MessageSamples.push());
        @SuppressWarnings("unchecked")
        Map<String, Object> change = (Map<String, Object>) ((List<Object>) tree.get("changes")).get(0);
        change.put("op", "UPSERT");
        assertCode(raw(tree), ErrorCode.INVALID_FIELD);

        Map<String, Object> mode = WireTrees.of(MessageSamples.changesMessages().get(0));
        mode.put("mode", "REPLAY");
        assertCode(raw(mode), ErrorCode.INVALID_FIELD);
    }

    @Test
    void anErrorCodeFromANewerPeerBecomesInternal() {
        Map<String, Object> tree = WireTrees.of(MessageSamples.errors().get(0));
        tree.put("code", "SOMETHING_NEW");
        tree.put("number", 9999L);
        Message decoded = codec().decode(raw(tree));
        assertThat(((ErrorMessage) decoded).code()).isEqualTo(ErrorCode.INTERNAL);
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

    private void assertDecodesOrFailsWithCode(byte[] bytes) {
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

    private static boolean sameWireType(Object a, Object b) {
        if (a instanceof Map || b instanceof Map) {
            return a instanceof Map && b instanceof Map;
        }
        if (a instanceof List || b instanceof List) {
            return a instanceof List && b instanceof List;
        }
        return a != null && a.getClass() == b.getClass();
    }

    @SuppressWarnings("unchecked")
    private static void collectPaths(Object node, List<Object> prefix, List<List<Object>> out) {
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
    private static void replace(Object root, List<Object> path, Object value) {
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
