package io.pocketsync.testkit.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.RowHash;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.MessageType;
import io.pocketsync.api.protocol.Scoped;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Verify;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
/**
 * The contract every {@link Codec} must meet. A codec's test extends this class and implements
 * {@link #codec()}; override {@link #maxMessageBytes()} / {@link #maxDepth()} when the codec under test
 * is configured with other limits than the defaults (32 MiB, 32).
 *
 * <p>Tests that build input by hand ({@link WireTrees} written with {@link RawWire}) run for codecs
 * named {@code json} or {@code cbor}; for another wire format override {@link #writeRaw(Object)}.
 *
 * <p>This class holds the format: every sample round-trips and reads from its documented tree, fields are required
 * and typed. Its parent, {@link CodecHardeningContract}, holds what a codec must survive.
 */
public abstract class AbstractCodecContractTest extends CodecHardeningContract {
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
                if (java.util.Set.of("ref", "number", "seqs", "own", "time", "maxRow", "maxAssembled", "self", "sums", "level", "grant",
                        "tables", "bulk", "applied")
                        .contains(field)) { // the optional ones
                    continue;
                }
                if (field.equals("scope") && sample instanceof Scoped) {
                    continue; // without its tag a message belongs to the connection's first session (protocol.md 3.9)
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
    void readsTheScopeTagFromVersion3AndIgnoresItBefore() {
        Scoped scoped = new Scoped("team-42", MessageSamples.pull());
        assertThat(codec().decode(codec().encode(scoped))).isEqualTo(scoped);
        Map<String, Object> untagged = WireTrees.of(scoped);
        untagged.remove("scope");
        assertThat(codec().decode(raw(untagged))).isEqualTo(MessageSamples.pull());
        // version 2 had no tag: an unknown field, ignored like any other
        Map<String, Object> version2 = WireTrees.of(scoped);
        version2.put("v", 2L);
        assertThat(codec().decode(raw(version2))).isEqualTo(new io.pocketsync.api.protocol.Pull(2, 42, 500, 57, true, true));
        Map<String, Object> wrongType = WireTrees.of(scoped);
        wrongType.put("scope", 42L);
        assertDecodeError(raw(wrongType));
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
    void refusesACompactAckWhoseRangeCannotHoldItsRows() {
        for (Map<String, Object> applied : List.<Map<String, Object>>of(Map.of("from", 10L, "to", 9L, "count", 1L),
                Map.of("from", 1L, "to", 3L, "count", 4L), Map.of("from", 0L, "to", 5L, "count", 0L),
                Map.of("from", 1L, "to", 2L))) {
            Map<String, Object> tree = WireTrees.of(MessageSamples.compactAck());
            tree.put("applied", applied);
            assertCode(raw(tree), applied.containsKey("count") ? ErrorCode.INVALID_FIELD : ErrorCode.MALFORMED_MESSAGE);
        }
        Map<String, Object> plain = WireTrees.of(MessageSamples.push());
        plain.put("bulk", false);
        assertThat(codec().decode(raw(plain))).isEqualTo(MessageSamples.push());
    }

    @Test
    void readsTheReplacedSequenceOnlyOnAnAppliedResultBelowItsOwn() {
        Map<String, Object> old = WireTrees.of(MessageSamples.ack());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) old.get("results");
        results.forEach(result -> result.remove("prev"));
        Ack fromOlderServer = (Ack) codec().decode(raw(old));
        assertThat(fromOlderServer.results()).allSatisfy(result -> assertThat(result.previousKnown()).isFalse());
        assertThat(((Ack) codec().decode(codec().encode(MessageSamples.ack()))).results())
                .extracting(ChangeResult::previous).containsExactly(ChangeResult.PREVIOUS_UNKNOWN, Long.MAX_VALUE - 1,
                        ChangeResult.PREVIOUS_UNKNOWN, ChangeResult.PREVIOUS_UNKNOWN, ChangeResult.PREVIOUS_UNKNOWN,
                        ChangeResult.PREVIOUS_UNKNOWN, 0L, 5L);
        // index in MessageSamples.ack(): 7 = APPLIED at 13, 2 = DUPLICATE
        for (Object[] bad : new Object[][] {{7, 13L}, {7, 14L}, {7, -1L}, {2, 0L}}) {
            Map<String, Object> tree = WireTrees.of(MessageSamples.ack());
            @SuppressWarnings("unchecked")
            Map<String, Object> result = ((List<Map<String, Object>>) tree.get("results")).get((Integer) bad[0]);
            result.put("prev", bad[1]);
            assertCode(raw(tree), ErrorCode.INVALID_FIELD);
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
    void tableCatchUpsAndGrantsFollowTheirRules() {
        // absent: a PULL or page of every subscribed table, a WELCOME of an older server that does not say the grant
        assertThat(((Pull) codec().decode(raw(WireTrees.of(MessageSamples.pull())))).tables()).isNull();
        assertThat(((Changes) codec().decode(raw(WireTrees.of(MessageSamples.changesMessages().get(2))))).tables()).isNull();
        assertThat(((io.pocketsync.api.protocol.Welcome) codec().decode(raw(WireTrees.of(MessageSamples.welcome())))).grant())
                .isNull();
        Map<String, Object> rw = WireTrees.of(MessageSamples.grantWelcome());
        rw.put("grant", "rw");
        assertThat(((io.pocketsync.api.protocol.Welcome) codec().decode(raw(rw))).grant())
                .isEqualTo(io.pocketsync.api.auth.Grant.READ_WRITE);

        Map<String, Object> emptyPull = WireTrees.of(MessageSamples.tablesPull());
        emptyPull.put("tables", List.of());
        assertCode(raw(emptyPull), ErrorCode.INVALID_FIELD);
        Map<String, Object> notStrings = WireTrees.of(MessageSamples.tablesPull());
        notStrings.put("tables", List.of(7L));
        assertCode(raw(notStrings), ErrorCode.INVALID_FIELD);
        Changes page = MessageSamples.changesMessages().get(7);
        Map<String, Object> live = WireTrees.of(page);
        live.put("mode", "LIVE");
        assertCode(raw(live), ErrorCode.INVALID_FIELD);
        Map<String, Object> emptyPage = WireTrees.of(page);
        emptyPage.put("tables", List.of());
        assertCode(raw(emptyPage), ErrorCode.INVALID_FIELD);
        Map<String, Object> badGrant = WireTrees.of(MessageSamples.grantWelcome());
        badGrant.put("grant", "admin");
        assertCode(raw(badGrant), ErrorCode.INVALID_FIELD);
    }

    @Test
    void checksumsComeOnlyWithAFinalPageAtItsCursor() {
        Changes carrying = MessageSamples.changesMessages().get(6);
        assertThat(carrying.checksums()).isNotNull();
        assertThat(codec().decode(raw(WireTrees.of(carrying)))).isEqualTo(carrying);

        Map<String, Object> live = WireTrees.of(carrying);
        live.put("mode", "LIVE");
        assertCode(raw(live), ErrorCode.INVALID_FIELD);
        Map<String, Object> notFinal = WireTrees.of(carrying);
        notFinal.put("more", true);
        assertCode(raw(notFinal), ErrorCode.INVALID_FIELD);
        Map<String, Object> elsewhere = WireTrees.of(carrying);
        elsewhere.put("cursor", 98L);
        assertCode(raw(elsewhere), ErrorCode.INVALID_FIELD);
    }

    @Test
    void checksumMessagesWithoutAnAlgorithmAreTheFirstVersions() {
        for (Message sample : MessageSamples.verifications()) {
            Map<String, Object> tree = WireTrees.of(sample);
            assertThat(tree).containsEntry("alg", RowHash.ALGORITHM);
            tree.remove("alg");
            Message decoded = codec().decode(raw(tree));
            String algorithm = decoded instanceof Verify verify ? verify.algorithm() : ((Checksums) decoded).algorithm();
            assertThat(algorithm).as("%s", sample.type()).isEqualTo(RowHash.FIRST_ALGORITHM);
        }
    }

    @Test
    void checksumLevelsFollowTheirRules() {
        assertThat(codec().decode(raw(WireTrees.of(MessageSamples.coarsePull())))).isEqualTo(MessageSamples.coarsePull());
        Map<String, Object> olderPull = WireTrees.of(MessageSamples.coarsePull());
        olderPull.remove("level");
        assertThat(((Pull) codec().decode(raw(olderPull))).sums()).as("a PULL before levels").isEqualTo(ChecksumLevel.FINE);
        Map<String, Object> levelAlone = WireTrees.of(MessageSamples.coarsePull());
        levelAlone.remove("sums");
        assertCode(raw(levelAlone), ErrorCode.INVALID_FIELD);
        Map<String, Object> unknownLevel = WireTrees.of(MessageSamples.coarsePull());
        unknownLevel.put("level", "medium");
        assertCode(raw(unknownLevel), ErrorCode.INVALID_FIELD);

        Map<String, Object> olderVerify = WireTrees.of(MessageSamples.verifications().get(7));
        olderVerify.remove("level");
        assertThat(((Verify) codec().decode(raw(olderVerify))).level()).as("a VERIFY before levels").isNull();
        Map<String, Object> levelWithBuckets = WireTrees.of(MessageSamples.verifications().get(1));
        levelWithBuckets.put("level", "fine");
        assertCode(raw(levelWithBuckets), ErrorCode.INVALID_FIELD);

        Map<String, Object> coarseAnswer = WireTrees.of(MessageSamples.verifications().get(9));
        @SuppressWarnings("unchecked")
        Map<String, Object> table = (Map<String, Object>) ((List<Object>) coarseAnswer.get("tables")).get(0);
        assertThat((List<?>) table.get("counts")).hasSize(ChecksumLevel.COARSE.buckets());
        table.put("counts", List.of(1L, 2L, 3L));
        assertCode(raw(coarseAnswer), ErrorCode.INVALID_FIELD);
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

}
