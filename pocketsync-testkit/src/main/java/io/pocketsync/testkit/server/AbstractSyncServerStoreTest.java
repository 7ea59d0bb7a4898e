package io.pocketsync.testkit.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.testkit.transport.InMemoryNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The server engine over a real store, spoken to by {@link RawClient}s through an {@link InMemoryNetwork}:
 * every test sends protocol messages and checks the replies and the store. A store module's test extends
 * this class, opens its store in {@link #newStore} and wires the engine in {@link #startServer}.
 *
 * <p>Each test uses fresh scope names, so stores may share data across tests as long as {@link #cleanUp()}
 * removes what a test created. Servers, clients, the network and stores are closed after each test.
 *
 * <p>The tests are split over package-private layers (the fixture, ingest, and catch-up, merge and
 * broadcast here), chained only because a class has one superclass; a subclass runs them all.
 */
public abstract class AbstractSyncServerStoreTest extends SyncServerIngestContract {
    // ---------------------------------------------------------------- catch-up

    @Test
    void catchUpSendsTheLatestStateOfEachRowAndLeavesOutRowsBornAndDiedAfterTheCursor() {
        String scope = uniqueScope();
        Node node = startNode(scope);
        RawClient writer = node.client(scope, "dev-w", 0);
        writer.push(writer.insert("deleted", 1, row("t", "d")), writer.insert("updated", 1, row("t", "u0")),
                writer.insert("reborn", 1, row("t", "r0")), writer.insert("untouched", 1, row("t", "x")));
        long cursor = node.store.info(Scope.of(scope)).head();

        writer.push(writer.insert("ephemeral", 2, row("t", "e")));
        writer.push(writer.delete("ephemeral", 3), writer.delete("deleted", 3));
        writer.push(writer.update("updated", 4, row("t", "u1"), "t"));
        writer.push(writer.update("updated", 5, row("t", "u2"), "t"));
        writer.push(writer.delete("reborn", 6));
        writer.push(writer.insert("reborn", 7, row("t", "r1")));
        writer.push(writer.delete("reborn", 8)); // existed at the cursor, deleted, recreated, deleted again
        writer.push(writer.insert("fresh", 9, row("t", "f")));

        RawClient offline = node.client(scope, "dev-o", cursor);
        List<Changes> pages = offline.pullAll(cursor, 100);
        Map<String, Change> sent = byGlobalId(pages);

        assertThat(sent).containsOnlyKeys("deleted", "updated", "reborn", "fresh");
        assertThat(sent.get("deleted").op()).isEqualTo(Op.DELETE);
        assertThat(sent.get("reborn").op()).isEqualTo(Op.DELETE);
        assertThat(sent.get("updated").op()).isEqualTo(Op.UPDATE);
        assertThat(sent.get("updated").row()).isEqualTo(row("t", "u2"));
        assertThat(sent.get("fresh").op()).isEqualTo(Op.INSERT);
        assertThat(pages.get(0).fromCursor()).isEqualTo(cursor);
        assertThat(pages.get(pages.size() - 1).cursor()).isEqualTo(node.store.info(Scope.of(scope)).head());
        assertThat(pages).allSatisfy(page -> assertThat(page.mode()).isEqualTo(ChangesMode.CATCH_UP));
    }

    @Test
    void catchUpResumesFromTheCursorOfAnyPageWithNothingMissedOrRepeated() {
        String scope = uniqueScope();
        Node node = startNode(scope);
        RawClient writer = node.client(scope, "dev-w", 0);
        for (int i = 0; i < 12; i++) {
            writer.push(writer.insert("r" + i, i, row("n", (long) i)));
        }
        writer.push(writer.update("r0", 20, row("n", 100L), "n"), writer.delete("r5", 20));

        RawClient first = node.client(scope, "dev-1", 0);
        Changes page1 = first.pull(0, 4);
        Changes page2 = first.pull(page1.cursor(), 4);
        assertThat(page1.hasMore()).isTrue();
        assertThat(page1.changes()).hasSize(4);
        assertThat(page2.fromCursor()).isEqualTo(page1.cursor());
        first.close();

        // the device crashed after applying page 2; a new session resumes from its cursor
        RawClient resumed = node.client(scope, "dev-1", page2.cursor());
        List<Changes> rest = resumed.pullAll(page2.cursor(), 4);
        List<Changes> all = new ArrayList<>(List.of(page1, page2));
        all.addAll(rest);
        Map<String, Change> sent = byGlobalId(all);

        // r5 was created after 0 but before the resumed cursor: the device had it, so it gets the DELETE
        assertThat(page2.cursor()).isGreaterThanOrEqualTo(6);
        assertThat(sent.keySet()).containsExactlyInAnyOrder("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9",
                "r10", "r11");
        assertThat(sent.get("r5").op()).isEqualTo(Op.DELETE);
        assertThat(sent.get("r0").row()).isEqualTo(row("n", 100L));
        assertThat(rest.get(rest.size() - 1).cursor()).isEqualTo(node.store.info(Scope.of(scope)).head());
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).fromCursor()).isEqualTo(all.get(i - 1).cursor());
        }
    }

    @Test
    void aDeviceBehindThePrunedHorizonIsToldToResyncAndGetsASnapshot() {
        String scope = uniqueScope();
        Node node = startNode(scope);
        RawClient writer = node.client(scope, "dev-w", 0);
        for (int i = 0; i < 6; i++) {
            writer.push(writer.insert("r" + i, i, row("n", (long) i)));
        }
        writer.push(writer.delete("r1", 10), writer.delete("r2", 10));
        clock.advance(Duration.ofDays(1));
        long horizon = node.store.prune(Scope.of(scope), clock.instant());
        assertThat(horizon).isEqualTo(8);
        writer.push(writer.update("r3", 20, row("n", 33L), "n"));

        RawClient behind = node.client(scope, "dev-b", 2);
        assertThat(behind.welcome().resyncRequired()).isTrue();
        List<Changes> pages = behind.pullAll(2, 2);

        assertThat(pages).allSatisfy(page -> assertThat(page.mode()).isEqualTo(ChangesMode.SNAPSHOT));
        assertThat(pages.get(0).fromCursor()).isZero();
        Map<String, Change> snapshot = byGlobalId(pages);
        assertThat(snapshot).containsOnlyKeys("r0", "r3", "r4", "r5");
        assertThat(snapshot.values()).noneMatch(change -> change.op() == Op.DELETE);
        assertThat(snapshot.get("r3").row()).isEqualTo(row("n", 33L));
        assertThat(pages.get(pages.size() - 1).cursor()).isEqualTo(9);

        RawClient current = node.client(scope, "dev-c", 8);
        assertThat(current.welcome().resyncRequired()).isFalse();
        assertThat(byGlobalId(current.pullAll(8, 10))).containsOnlyKeys("r3");
    }

    // ---------------------------------------------------------------- merge and broadcast

    @Test
    void fieldMergeKeepsConcurrentEditsOfDifferentColumns() {
        String scope = uniqueScope();
        Node node = startNode("node-merge", "field-merge", Map.of(), scope);
        RawClient a = node.client(scope, "dev-a", 0);
        RawClient b = node.client(scope, "dev-b", 0);
        RawClient c = node.client(scope, "dev-c", 0);
        a.push(a.insert("r1", 1, row("title", "draft", "done", 0L)));

        // b and c edit different columns of the same version, concurrently (neither saw the other)
        assertThat(statuses(b.push(b.update("r1", 5, row("title", "final", "done", 0L), "title"))))
                .containsExactly(ChangeStatus.APPLIED);
        Ack cAck = c.push(c.update("r1", 4, row("title", "draft", "done", 1L), "done"));

        assertThat(statuses(cAck)).containsExactly(ChangeStatus.APPLIED);
        RowState merged = node.store.row(Scope.of(scope), RawClient.TABLE, "r1").orElseThrow();
        assertThat(merged.row()).isEqualTo(row("title", "final", "done", 1L));
        a.await(Changes.class, live -> live.mode() == ChangesMode.LIVE
                && live.changes().stream().anyMatch(change -> change.deviceId().equals("dev-c")));
        Change toA = a.live().stream().flatMap(live -> live.changes().stream())
                .filter(change -> change.deviceId().equals("dev-c")).findFirst().orElseThrow();
        assertThat(toA.row()).isEqualTo(row("title", "final", "done", 1L));
        Map<String, Change> caughtUp = byGlobalId(node.client(scope, "dev-d", 0).pullAll(0, 10));
        assertThat(caughtUp.get("r1").row()).isEqualTo(row("title", "final", "done", 1L));
    }

    @Test
    void liveBroadcastReachesOtherDevicesOfTheScopeWithTheBatchRange() {
        String scope = uniqueScope();
        Node node = startNode(scope);
        RawClient a = node.client(scope, "dev-a", 0);
        RawClient b = node.client(scope, "dev-b", 0);

        a.push(a.insert("r1", 1, row("n", 1L)), a.insert("r2", 1, row("n", 2L)));

        Changes live = b.await(Changes.class, c -> c.mode() == ChangesMode.LIVE);
        assertThat(live.fromCursor()).isZero();
        assertThat(live.cursor()).isEqualTo(2);
        assertThat(live.changes()).extracting(Change::globalId).containsExactly("r1", "r2");
        Changes own = a.await(Changes.class, c -> c.mode() == ChangesMode.LIVE);
        assertThat(own.changes()).isEmpty();
        assertThat(own.cursor()).isEqualTo(2);
        assertThat(b.live().stream().flatMap(c -> c.changes().stream()).map(Change::op).collect(Collectors.toList()))
                .containsExactly(Op.INSERT, Op.INSERT);
    }
}
