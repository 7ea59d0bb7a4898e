package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a device is told when its row would take a UNIQUE value another row holds, and what is checked first. */
class UniqueClaimIngestTest {
    private static final Scope SCOPE = Scope.of("scope-u");
    private static final List<List<String>> EMAIL = List.of(List.of("email"));

    private final InMemoryServerStore store = new InMemoryServerStore();
    private final ServerHarness harness = new ServerHarness(store, SCOPE.name());

    @AfterEach
    void close() {
        harness.close();
        store.close();
    }

    @Test
    void aRefusedInsertCarriesNoWinnerAndARefusedEditCarriesTheStoredRow() {
        ServerHarness.Device a = harness.connect("dev-a", 0);
        ServerHarness.Device b = harness.connect("dev-b", 0);
        a.push(a.insert("a1", 0, Map.of("email", "x@")).withUniqueKeys(EMAIL),
                a.insert("a2", 1, Map.of("email", "y@")).withUniqueKeys(EMAIL));

        Ack refused = b.push(b.insert("b1", 2, Map.of("email", "x@")).withUniqueKeys(EMAIL),
                b.update("a2", 3, Map.of("email", "x@"), "email").withUniqueKeys(EMAIL));

        assertThat(refused.results()).extracting(ChangeResult::status).containsOnly(ChangeStatus.REJECTED);
        assertThat(refused.results()).extracting(ChangeResult::errorCode).containsOnly(ErrorCode.UNIQUE_CONFLICT);
        assertThat(refused.results().get(0).winner()).isNull();
        assertThat(refused.results().get(0).message()).contains("email").contains("a1");
        Change stored = refused.results().get(1).winner();
        assertThat(stored).isNotNull();
        assertThat(stored.globalId()).isEqualTo("a2");
        assertThat(stored.row()).containsEntry("email", "y@");
        assertThat(refused.results().get(1).sequence()).isEqualTo(2);
        assertThat(store.info(SCOPE).head()).isEqualTo(2);
        assertThat(store.audit(SCOPE, 0, 10)).extracting(AuditEntry::errorCode)
                .containsExactly(ErrorCode.UNIQUE_CONFLICT, ErrorCode.UNIQUE_CONFLICT);
    }

    @Test
    void aRefusedRowSentAgainAfterALostAckIsRefusedAgain() {
        ServerHarness.Device a = harness.connect("dev-a", 0);
        ServerHarness.Device b = harness.connect("dev-b", 0);
        a.push(a.insert("a1", 0, Map.of("email", "x@")).withUniqueKeys(EMAIL));
        Change refused = b.insert("b1", 1, Map.of("email", "x@")).withUniqueKeys(EMAIL);
        b.push(refused);

        ChangeResult again = b.push(refused).results().get(0);

        assertThat(again.status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(again.errorCode()).isEqualTo(ErrorCode.UNIQUE_CONFLICT);
        assertThat(store.info(SCOPE).head()).isEqualTo(1);
    }

    @Test
    void malformedUniqueKeysAreRefusedBeforeTheStore() {
        ServerHarness.Device a = harness.connect("dev-a", 0);
        Ack ack = a.push(a.insert("g1", 0, Map.of("email", "x@")).withUniqueKeys(List.of(List.of())),
                a.insert("g2", 1, Map.of("email", "x@")).withUniqueKeys(List.of(List.of("email", "email"))),
                a.insert("g3", 2, Map.of("email", "x@")).withUniqueKeys(List.of(List.of("ps_global_id"))),
                a.insert("g4", 3, Map.of("email", "x@")).withUniqueKeys(EMAIL));

        assertThat(ack.results()).extracting(ChangeResult::errorCode).containsExactly(ErrorCode.INVALID_CHANGE,
                ErrorCode.INVALID_CHANGE, ErrorCode.IDENTIFIER_INVALID, null);
    }
}
