package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A session of a read-only grant: every change refused with SCOPE_READ_ONLY, the stored row as winner. */
class ReadOnlyIngestTest {
    private static final Scope SCOPE = Scope.of("scope-ro");

    private final InMemoryServerStore store = new InMemoryServerStore();
    private final ServerHarness harness = new ServerHarness(store, SCOPE.name());

    @AfterEach
    void close() {
        harness.close();
        store.close();
    }

    @Test
    void readOnlyChangesAreRefusedAuditedNotStoredNorBroadcastAndCarryTheStoredRow() {
        ServerHarness.Device writer = harness.connect("dev-rw", 0);
        ServerHarness.Device reader = harness.connectReadOnly("dev-r", 0);
        writer.push(writer.insert("row-1", 0, Map.of("title", "server")));
        await().atMost(Duration.ofSeconds(5)).until(() -> !reader.live().isEmpty());

        Ack ack = reader.push(reader.update("row-1", 1, Map.of("title", "local"), "title"),
                reader.insert("row-2", 2, Map.of("title", "new")),
                reader.delete("row-1", 3));

        assertThat(ack.results()).extracting(ChangeResult::status).containsOnly(ChangeStatus.REJECTED);
        assertThat(ack.results()).extracting(ChangeResult::errorCode).containsOnly(ErrorCode.SCOPE_READ_ONLY);
        Change winner = ack.results().get(0).winner();
        assertThat(winner).isNotNull();
        assertThat(winner.globalId()).isEqualTo("row-1");
        assertThat(winner.row()).containsEntry("title", "server");
        assertThat(ack.results().get(1).winner()).isNull();           // the server has no row-2: the device deletes it
        assertThat(ack.results().get(2).winner().row()).containsEntry("title", "server");
        assertThat(store.info(SCOPE).head()).isEqualTo(1);
        assertThat(store.audit(SCOPE, 0, 10)).extracting(AuditEntry::errorCode).containsOnly(ErrorCode.SCOPE_READ_ONLY).hasSize(3);
        assertThat(writer.live()).flatExtracting(io.pocketsync.api.protocol.Changes::changes)
                .extracting(Change::deviceId).doesNotContain("dev-r");
    }

    @Test
    void aRefusedChangeSentAgainIsRefusedAgainWithTheStoredRow() {
        ServerHarness.Device writer = harness.connect("dev-rw", 0);
        ServerHarness.Device reader = harness.connectReadOnly("dev-r", 0);
        writer.push(writer.insert("row-1", 0, Map.of("title", "server")));
        Change edit = reader.update("row-1", 1, Map.of("title", "local"), "title");
        Change insert = reader.insert("row-2", 2, Map.of("title", "new"));
        reader.push(edit, insert);

        Ack again = reader.push(edit, insert);

        assertThat(again.results()).extracting(ChangeResult::errorCode).containsOnly(ErrorCode.SCOPE_READ_ONLY);
        assertThat(again.results().get(0).winner().row()).containsEntry("title", "server");
        assertThat(again.results().get(1).winner()).isNull();
        assertThat(store.info(SCOPE).head()).isEqualTo(1);
    }
}
