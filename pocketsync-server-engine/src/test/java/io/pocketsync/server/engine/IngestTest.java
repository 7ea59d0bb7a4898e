package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.server.engine.plugin.LongestTitleResolverProvider;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IngestTest {
    private static final Scope SCOPE = Scope.of("scope-i");

    private final InMemoryServerStore store = new InMemoryServerStore();
    private ServerHarness harness = new ServerHarness(store, SCOPE.name());

    @AfterEach
    void close() {
        harness.close();
        store.close();
    }

    @Test
    void appliedChangesGetConsecutiveSequencesAndTheAckCarriesTheServerClock() {
        ServerHarness.Device a = harness.connect("dev-a", 0);
        Ack ack = a.push(a.insert("g1", 0, Map.of("title", "one")), a.insert("g2", 1, Map.of("title", "two")));
        assertThat(ack.results()).extracting(ChangeResult::status).containsExactly(ChangeStatus.APPLIED, ChangeStatus.APPLIED);
        assertThat(ack.results()).extracting(ChangeResult::sequence).containsExactly(1L, 2L);
        assertThat(ack.serverHlc().physicalMillis()).isGreaterThanOrEqualTo(ServerHarness.NOW_MILLIS);
        assertThat(store.info(SCOPE).head()).isEqualTo(2);
    }

    @Test
    void anAppliedResultSaysTheSequenceOfTheStateItReplacedAndTheOthersDoNot() {
        ServerHarness.Device a = harness.connect("dev-a", 0);
        Ack first = a.push(a.insert("g1", 0, Map.of("title", "one")), a.insert("g2", 1, Map.of("title", "two")));
        assertThat(first.results()).extracting(ChangeResult::previous).as("new rows").containsExactly(0L, 0L);
        Change edit = a.update("g1", 5, Map.of("title", "uno"), "title");
        Ack second = a.push(edit, a.update("g2", -100_000, Map.of("title", "too old"), "title"));
        assertThat(second.results()).extracting(ChangeResult::status).containsExactly(ChangeStatus.APPLIED, ChangeStatus.SUPERSEDED);
        assertThat(second.results()).extracting(ChangeResult::previous).containsExactly(1L, ChangeResult.PREVIOUS_UNKNOWN);
        a.send(new Push(ProtocolVersion.CURRENT, "again", List.of(edit)));
        Ack again = a.await(Ack.class, ack -> ack.batchId().equals("again"));
        assertThat(again.results().get(0).previousKnown()).as("a DUPLICATE says none").isFalse();
    }

    @Test
    void aResentBatchIsAnsweredDuplicate() {
        ServerHarness.Device a = harness.connect("dev-a", 0);
        Change change = a.insert("g1", 0, Map.of("title", "one"));
        a.push(change);
        a.send(new Push(ProtocolVersion.CURRENT, "again", List.of(change, change)));
        Ack again = a.await(Ack.class, ack -> ack.batchId().equals("again"));
        assertThat(again.results()).extracting(ChangeResult::status).containsExactly(ChangeStatus.DUPLICATE, ChangeStatus.DUPLICATE);
        assertThat(again.results()).extracting(ChangeResult::sequence).as("the stored row's sequence").containsExactly(1L, 1L);
        assertThat(store.info(SCOPE).head()).isEqualTo(1);
    }

    @Test
    void lastWriteWinsBreaksClockTiesByDeviceIdInAnyArrivalOrder() {
        for (boolean lowerFirst : new boolean[] {true, false}) {
            String gid = "tie-" + lowerFirst;
            ServerHarness.Device a = harness.connect("dev-a", 0);
            ServerHarness.Device b = harness.connect("dev-b", 0);
            Change fromA = a.update(gid, 100, Map.of("title", "from a"), "title");
            Change fromB = b.update(gid, 100, Map.of("title", "from b"), "title");
            assertThat(fromA.hlc()).isEqualTo(fromB.hlc());
            Ack first = lowerFirst ? a.push(fromA) : b.push(fromB);
            Ack second = lowerFirst ? b.push(fromB) : a.push(fromA);
            assertThat(store.row(SCOPE, "items", gid)).get().extracting(r -> r.row().get("title")).isEqualTo("from b");
            if (lowerFirst) {
                assertThat(second.results().get(0).status()).isEqualTo(ChangeStatus.APPLIED);
            }
            else {
                ChangeResult lost = second.results().get(0);
                assertThat(lost.status()).isEqualTo(ChangeStatus.SUPERSEDED);
                assertThat(lost.winner().row()).containsEntry("title", "from b");
                assertThat(lost.winner().changeId()).isEqualTo(fromB.changeId());
                assertThat(first.results().get(0).status()).isEqualTo(ChangeStatus.APPLIED);
            }
        }
    }

    @Test
    void supersededAndRejectedChangesLandInTheAuditLog() {
        ServerHarness.Device a = harness.connect("dev-a", 0);
        a.push(a.insert("g1", 50, Map.of("title", "new")));
        Change stale = a.update("g1", 10, Map.of("title", "old"), "title");
        Change skewed = a.insert("g2", 6 * 60_000, Map.of("title", "future"));
        Ack ack = a.push(stale, skewed);
        assertThat(ack.results()).extracting(ChangeResult::status).containsExactly(ChangeStatus.SUPERSEDED, ChangeStatus.REJECTED);
        assertThat(ack.results()).extracting(ChangeResult::sequence).as("the winner's sequence, then none").containsExactly(1L, 0L);
        List<AuditEntry> audit = harness.server().audit(SCOPE, 0, 10);
        assertThat(audit).extracting(AuditEntry::status).containsExactly(ChangeStatus.SUPERSEDED, ChangeStatus.REJECTED);
        assertThat(audit.get(1).errorCode()).isEqualTo(ErrorCode.CLOCK_SKEW);
        assertThat(harness.server().audit(SCOPE, audit.get(0).id(), 10)).hasSize(1);
    }

    @Test
    void aChangeTooFarAheadIsRejectedWithClockSkewAndTheRestOfTheBatchApplies() {
        ServerHarness.Device a = harness.connect("dev-a", 0);
        Ack ack = a.push(a.insert("g1", 4 * 60_000, Map.of("title", "soon")), a.insert("g2", 5 * 60_000 + 1, Map.of("title", "too far")));
        assertThat(ack.results().get(0).status()).isEqualTo(ChangeStatus.APPLIED);
        assertThat(ack.results().get(1).status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(ack.results().get(1).errorCode()).isEqualTo(ErrorCode.CLOCK_SKEW);
        assertThat(store.row(SCOPE, "items", "g2")).isEmpty();
        // the accepted clock was merged: the server's clock is now past it
        assertThat(ack.serverHlc()).isGreaterThan(Hlc.of(ServerHarness.NOW_MILLIS + 4 * 60_000, 0));
    }

    @Test
    void aFailedStoreCallStoresNothingSendsNoAckAndTheRetrySucceeds() {
        ServerHarness.Device a = harness.connect("dev-a", 0);
        List<Change> batch = List.of(a.insert("g1", 0, Map.of("title", "x")), a.insert("g2", 1, Map.of("title", "y")));
        store.failNextApplies(1);
        a.send(new Push(ProtocolVersion.CURRENT, "b-1", batch));
        ErrorMessage error = a.await(ErrorMessage.class, e -> "b-1".equals(e.refId()));
        assertThat(error.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
        assertThat(a.connection().sent(Ack.class)).isEmpty();
        assertThat(store.info(SCOPE).head()).isZero();
        assertThat(store.row(SCOPE, "items", "g1")).isEmpty();

        a.send(new Push(ProtocolVersion.CURRENT, "b-1", batch));
        Ack ack = a.await(Ack.class, x -> x.batchId().equals("b-1"));
        assertThat(ack.results()).extracting(ChangeResult::status).containsOnly(ChangeStatus.APPLIED);
        assertThat(a.connection().isOpen()).isTrue();
    }

    @Test
    void oversizedBatchIsAnErrorAndTheSessionStaysOpen() {
        harness.close();
        harness = new ServerHarness(store, SCOPE.name(), TableResolvers.lastWriteWins(),
                ServerOptions.builder().nodeId("n").maxBatchChanges(2).build());
        ServerHarness.Device a = harness.connect("dev-a", 0);
        List<Change> three = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            three.add(a.insert("g" + i, i, Map.of("title", "t")));
        }
        a.send(new Push(ProtocolVersion.CURRENT, "big", three));
        assertThat(a.await(ErrorMessage.class, e -> "big".equals(e.refId())).code()).isEqualTo(ErrorCode.BATCH_TOO_LARGE);
        assertThat(a.push(three.get(0)).results().get(0).status()).isEqualTo(ChangeStatus.APPLIED);
    }

    @Test
    void aRowOverTheMaximumIsRefusedExactlyAndTheSessionGoesOn() {
        harness.close();
        harness = new ServerHarness(store, SCOPE.name(), TableResolvers.lastWriteWins(),
                ServerOptions.builder().nodeId("n").maxRowBytes(1000).build());
        ServerHarness.Device a = harness.connect("dev-a", 0);
        // column "t" (1 byte) and 999 bytes of UTF-8: 333 three-byte characters, exactly 1000 bytes
        Change atMost = a.insert("g-at", 1, Map.of("t", "€".repeat(333)));
        Change over = a.insert("g-over", 2, Map.of("t", "€".repeat(333) + "x"));
        Change blob = a.insert("g-blob", 3, Map.of("t", new byte[1000]));
        Ack ack = a.push(atMost, over, blob);
        assertThat(ack.results()).extracting(ChangeResult::errorCode).containsExactly(null, ErrorCode.ROW_TOO_LARGE,
                ErrorCode.ROW_TOO_LARGE);
        assertThat(ack.results().get(1).message()).contains("row of 1001 bytes exceeds the maximum of 1000");
        assertThat(a.push(a.insert("g-next", 4, Map.of("t", "small"))).results().get(0).status()).isEqualTo(ChangeStatus.APPLIED);
        assertThat(a.connection().isOpen()).isTrue();
    }

    @Test
    void invalidChangesAreRejectedWithCodesWithoutReachingTheStore() {
        harness.close();
        harness = new ServerHarness(store, SCOPE.name(), TableResolvers.lastWriteWins(),
                ServerOptions.builder().nodeId("n").maxRowBytes(1000).maxIdentifierLength(20).build());
        ServerHarness.Device a = harness.connect("dev-a", 0);
        Hlc now = Hlc.of(ServerHarness.NOW_MILLIS, 0);
        Change badTable = new Change("c1", "bad\u0000table", "g1", Op.INSERT, Map.of("t", 1L), List.of(), now, "dev-a");
        Change longId = new Change("c2", "items", "g".repeat(21), Op.INSERT, Map.of("t", 1L), List.of(), now, "dev-a");
        Change bigRow = new Change("c3", "items", "g3", Op.INSERT, Map.of("t", "x".repeat(2000)), List.of(), now, "dev-a");
        Change otherDevice = new Change("c4", "items", "g4", Op.INSERT, Map.of("t", 1L), List.of(), now, "dev-b");
        Change globalIdColumn = new Change("c5", "items", "g5", Op.INSERT, Map.of("ps_global_id", "x"), List.of(), now, "dev-a");
        Change badChanged = new Change("c6", "items", "g6", Op.UPDATE, Map.of("t", 1L), List.of("nope"), now, "dev-a");
        Change good = new Change("c7", "items", "g7", Op.INSERT, Map.of("t", 1L), List.of(), now, "dev-a");
        // what no device could apply (ChangeRules): a row id with an emoji, a NaN (SQLite stores it as NULL)
        Change emojiRowId = new Change("c8", "items", "g\uD83D\uDE00", Op.INSERT, Map.of("t", 1L), List.of(), now, "dev-a");
        Change notANumber = new Change("c9", "items", "g9", Op.INSERT, Map.of("t", Double.NaN), List.of(), now, "dev-a");
        Ack ack = a.push(badTable, longId, bigRow, otherDevice, globalIdColumn, badChanged, good, emojiRowId, notANumber);
        assertThat(ack.results()).extracting(ChangeResult::errorCode).containsExactly(ErrorCode.IDENTIFIER_INVALID,
                ErrorCode.IDENTIFIER_INVALID, ErrorCode.ROW_TOO_LARGE, ErrorCode.INVALID_CHANGE, ErrorCode.INVALID_CHANGE,
                ErrorCode.INVALID_CHANGE, null, ErrorCode.IDENTIFIER_INVALID, ErrorCode.INVALID_CHANGE);
        assertThat(ack.results().get(6).status()).isEqualTo(ChangeStatus.APPLIED);
        assertThat(ack.results().get(7).status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(store.info(SCOPE).head()).isEqualTo(1);
    }

    @Test
    void fieldMergeKeepsConcurrentEditsOfDifferentColumnsAndTellsTheLaterWriterTheMergedRow() {
        harness.close();
        harness = new ServerHarness(store, SCOPE.name(),
                ServerHarness.configuredResolvers("resolver.default", "field-merge"),
                ServerOptions.builder().nodeId("n").build());
        ServerHarness.Device a = harness.connect("dev-a", 0);
        ServerHarness.Device b = harness.connect("dev-b", 0);
        a.push(a.insert("g1", 0, Map.of("title", "t", "done", 0L)));
        b.push(b.update("g1", 10, Map.of("title", "t", "done", 1L), "done"));
        Ack ack = a.push(a.update("g1", 20, Map.of("title", "T", "done", 0L), "title"));
        ChangeResult result = ack.results().get(0);
        assertThat(result.status()).isEqualTo(ChangeStatus.APPLIED);
        assertThat(result.winner().row()).containsEntry("title", "T").containsEntry("done", 1L);
        RowState row = store.row(SCOPE, "items", "g1").orElseThrow();
        assertThat(row.row()).containsEntry("title", "T").containsEntry("done", 1L);
    }

    @Test
    void aCustomResolverFromTheClasspathIsSelectedByNameWithNoServerCode() {
        harness.close();
        harness = new ServerHarness(store, SCOPE.name(),
                ServerHarness.configuredResolvers("resolver.table.items", LongestTitleResolverProvider.NAME),
                ServerOptions.builder().nodeId("n").build());
        ServerHarness.Device a = harness.connect("dev-a", 0);
        a.push(a.insert("g1", 0, Map.of("title", "a long title")));
        // later under last-write-wins, but shorter: the plugin's rule keeps the long title
        Ack ack = a.push(a.update("g1", 100, Map.of("title", "short"), "title"));
        assertThat(ack.results().get(0).status()).isEqualTo(ChangeStatus.SUPERSEDED);
        assertThat(store.row(SCOPE, "items", "g1").orElseThrow().row()).containsEntry("title", "a long title");
    }

    @Test
    void changesOfOneBatchAreResolvedInPushOrderAndTheAckKeepsThatOrder() {
        ServerHarness.Device a = harness.connect("dev-a", 0);
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            changes.add(a.update("g1", i, Map.of("title", "v" + i), "title"));
        }
        Collections.reverse(changes);
        Ack ack = a.push(changes.toArray(Change[]::new));
        assertThat(ack.results()).extracting(ChangeResult::changeId).containsExactlyElementsOf(changes.stream().map(Change::changeId).toList());
        assertThat(ack.results().get(0).status()).isEqualTo(ChangeStatus.APPLIED);
        assertThat(ack.results().subList(1, 20)).extracting(ChangeResult::status).containsOnly(ChangeStatus.SUPERSEDED);
        assertThat(store.row(SCOPE, "items", "g1").orElseThrow().row()).containsEntry("title", "v19");
    }
}
