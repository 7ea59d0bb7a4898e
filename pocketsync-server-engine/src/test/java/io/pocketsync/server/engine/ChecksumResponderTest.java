package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.checksum.RowHash;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.ProtocolVersion;
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
}
