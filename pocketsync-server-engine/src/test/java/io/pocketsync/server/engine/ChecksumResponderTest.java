package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.RowHash;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Verify;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** VERIFY answers name the row hash they sum, and a device that sums another one is not answered. */
class ChecksumResponderTest {
    private static final Scope SCOPE = Scope.of("scope-v");

    private final InMemoryServerStore store = new InMemoryServerStore();
    private final ServerHarness harness = new ServerHarness(store, SCOPE.name());

    @AfterEach
    void close() {
        harness.close();
        store.close();
    }

    @Test
    void answersWithTheChecksumsAndTheirAlgorithm() {
        ServerHarness.Device device = harness.connect("dev-a", 0);
        device.push(device.insert("g1", 0, Map.of("title", "milk")));

        device.send(new Verify(ProtocolVersion.CURRENT, 7, null, List.of(), List.of()));
        Checksums answer = device.await(Checksums.class, checksums -> checksums.requestId() == 7);

        assertThat(answer.algorithm()).isEqualTo(RowHash.ALGORITHM);
        assertThat(answer.sequence()).isEqualTo(1);
        assertThat(answer.tables()).singleElement().satisfies(table -> {
            assertThat(table.count()).isEqualTo(1);
            assertThat(table.sum()).isEqualTo(RowHash.of(table.table(), "g1", Map.of("title", "milk")));
        });
    }

    @Test
    void aDeviceThatSumsTheFirstVersionsHashIsToldTheServerDoesNotAnswerIt() {
        ServerHarness.Device device = harness.connect("dev-old", 0);

        device.send(new Verify(ProtocolVersion.CURRENT, 8, null, List.of(), List.of(), RowHash.FIRST_ALGORITHM));
        ErrorMessage refused = device.await(ErrorMessage.class, error -> true);

        // what a device of the first version takes as "no checksums here": it stops asking for the session
        assertThat(refused.code()).isEqualTo(ErrorCode.UNKNOWN_MESSAGE_TYPE);
        assertThat(refused.message()).contains(RowHash.FIRST_ALGORITHM, RowHash.ALGORITHM);
        assertThat(device.connection().isOpen()).isTrue();
    }

    @Test
    void aFinalPageCarriesTheChecksumsAtItsCursorWhenThePullAsksForThem() {
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        writer.push(writer.insert("g1", 0, Map.of("title", "milk")), writer.insert("g2", 1, Map.of("title", "eggs")));
        ServerHarness.Device reader = harness.connect("dev-r", 0);

        reader.send(new Pull(ProtocolVersion.CURRENT, 0, 1, 0, false, true));
        Changes first = reader.await(Changes.class, page -> page.mode() != ChangesMode.LIVE && page.fromCursor() == 0);
        reader.send(new Pull(ProtocolVersion.CURRENT, first.cursor(), 1, 0, false, true));
        Changes last = reader.await(Changes.class, page -> page.mode() != ChangesMode.LIVE && page.fromCursor() == first.cursor());
        reader.send(new Pull(ProtocolVersion.CURRENT, 0, 10, 0, false, false));
        Changes unasked = reader.await(Changes.class, page -> page.mode() != ChangesMode.LIVE && page.fromCursor() == 0
                && page.changes().size() == 2);

        assertThat(first.hasMore()).isTrue();
        assertThat(first.checksums()).as("only a final page carries them").isNull();
        assertThat(last.hasMore()).isFalse();
        assertThat(last.checksums()).isNotNull();
        assertThat(last.checksums().sequence()).isEqualTo(last.cursor()).isEqualTo(2);
        assertThat(last.checksums().algorithm()).isEqualTo(RowHash.ALGORITHM);
        assertThat(last.checksums().tables()).singleElement().satisfies(table -> assertThat(table.count()).isEqualTo(2));
        assertThat(unasked.checksums()).isNull();
    }

    @Test
    void answersEachLevelAndOneTablesFineChecksums() {
        ServerHarness.Device device = harness.connect("dev-l", 0);
        device.push(device.insert("g1", 0, Map.of("title", "milk")), device.insert("g2", 1, Map.of("title", "eggs")));

        device.send(Verify.checksums(ProtocolVersion.CURRENT, 9, null, ChecksumLevel.COARSE));
        Checksums coarse = device.await(Checksums.class, checksums -> checksums.requestId() == 9);
        device.send(new Verify(ProtocolVersion.CURRENT, 10, null, List.of(), List.of()));
        Checksums older = device.await(Checksums.class, checksums -> checksums.requestId() == 10);
        String table = older.tables().get(0).table();
        device.send(Verify.checksums(ProtocolVersion.CURRENT, 11, table, ChecksumLevel.FINE));
        Checksums fine = device.await(Checksums.class, checksums -> checksums.requestId() == 11);
        device.send(Verify.checksums(ProtocolVersion.CURRENT, 12, "absent", ChecksumLevel.FINE));
        Checksums none = device.await(Checksums.class, checksums -> checksums.requestId() == 12);

        assertThat(coarse.tables()).singleElement().satisfies(sums -> assertThat(sums.level()).isEqualTo(ChecksumLevel.COARSE));
        assertThat(older.tables()).as("a VERIFY without level: fine, as before")
                .singleElement().satisfies(sums -> assertThat(sums.level()).isEqualTo(ChecksumLevel.FINE));
        assertThat(fine.tables()).isEqualTo(older.tables());
        assertThat(fine.sequence()).isEqualTo(coarse.sequence()).isEqualTo(2);
        assertThat(coarse.tables().get(0)).isEqualTo(older.tables().get(0).coarse());
        assertThat(none.tables()).isEmpty();
    }

    @Test
    void aFinalPageCarriesTheLevelThePullAsksFor() {
        ServerHarness.Device device = harness.connect("dev-p", 0);
        device.push(device.insert("g1", 0, Map.of("title", "milk")));

        device.send(new Pull(ProtocolVersion.CURRENT, 0, 10, 0, true, ChecksumLevel.COARSE));
        Changes page = device.await(Changes.class, changes -> changes.mode() != ChangesMode.LIVE && changes.checksums() != null);

        assertThat(page.checksums().tables()).singleElement()
                .satisfies(sums -> assertThat(sums.level()).isEqualTo(ChecksumLevel.COARSE));
    }
}
