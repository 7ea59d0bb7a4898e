package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CatchUpTest {
    private static final Scope SCOPE = Scope.of("scope-c");

    private final ServerHarness.MutableClock storeClock = new ServerHarness.MutableClock(Instant.ofEpochMilli(ServerHarness.NOW_MILLIS));
    private final InMemoryServerStore store = new InMemoryServerStore("node-1", storeClock);
    private ServerHarness harness = new ServerHarness(store, SCOPE.name());

    @AfterEach
    void close() {
        harness.close();
        store.close();
    }

    @Test
    void cleaningRulesBornAndDiedDeleteOfPreexistingAndMergedUpdates() {
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        writer.push(writer.insert("old-deleted", 0, Map.of("title", "a")), writer.insert("old-updated", 1, Map.of("title", "b")));
        long cursor = 2;
        writer.push(writer.insert("born-died", 10, Map.of("title", "x")));
        writer.push(writer.delete("born-died", 11));
        writer.push(writer.delete("old-deleted", 12));
        for (int i = 0; i < 5; i++) {
            writer.push(writer.update("old-updated", 20 + i, Map.of("title", "b" + i), "title"));
        }
        writer.push(writer.insert("new", 30, Map.of("title", "n")), writer.update("new", 31, Map.of("title", "n2"), "title"));

        ServerHarness.Device reader = harness.connect("dev-r", cursor);
        Changes page = reader.pull(cursor, 100);
        assertThat(page.mode()).isEqualTo(ChangesMode.CATCH_UP);
        assertThat(page.fromCursor()).isEqualTo(cursor);
        assertThat(page.hasMore()).isFalse();
        assertThat(page.cursor()).isEqualTo(store.info(SCOPE).head());
        assertThat(page.changes()).extracting(Change::globalId).containsExactly("old-deleted", "old-updated", "new");
        assertThat(page.changes()).extracting(Change::op).containsExactly(Op.DELETE, Op.UPDATE, Op.INSERT);
        assertThat(page.sequences()).as("each row's last sequence").containsExactly(5L, 10L, 12L);
        assertThat(page.changes().get(1).row()).containsEntry("title", "b4");
        assertThat(page.changes().get(2).row()).containsEntry("title", "n2");
    }

    @Test
    void aRowTheDeviceCreatedAndAnotherDeletedAfterItsCursorIsSentAsADelete() {
        ServerHarness.Device creator = harness.connect("dev-c", 0);
        ServerHarness.Device other = harness.connect("dev-o", 0);
        other.push(other.insert("before", 0, Map.of("title", "x")));
        long cursor = 1;
        other.push(other.insert("theirs", 9, Map.of("title", "born and died")));
        creator.push(creator.insert("mine", 10, Map.of("title", "created by dev-c")));
        long own = store.info(SCOPE).head();
        other.push(other.delete("mine", 12), other.delete("theirs", 13));

        // Without ownFrom both tombstones look born-and-died after the cursor and are skipped ...
        assertThat(creator.pull(cursor, 100).changes()).isEmpty();
        // ... but dev-c created "mine" itself (acked at sequence `own`), so it must hear of the delete; "theirs"
        // was created before dev-c's own changes start but died after: dev-c may have written it too (an insert
        // of the same global id), so it is sent as well (an extra delete is harmless).
        Changes page = creator.pullOwn(cursor, 100, own);
        assertThat(page.changes()).extracting(Change::globalId).containsExactly("mine", "theirs");
        assertThat(page.changes()).extracting(Change::op).containsExactly(Op.DELETE, Op.DELETE);
    }

    @Test
    void aRowAnotherCreatedThatTheDeviceThenWroteAndAThirdDeletedAfterItsCursorIsSentAsADelete() {
        // Global ids may be derived from natural keys: dev-c inserts the same row dev-o created after dev-c's
        // cursor; the server stores it as a later write of that row (APPLIED, no winner), so dev-c holds the
        // row without ever having applied dev-o's creation. The row was born before dev-c's own sequence, but
        // dev-c wrote it before it died: the tombstone must reach dev-c or it keeps a row the server deleted.
        ServerHarness.Device creator = harness.connect("dev-c", 0);
        ServerHarness.Device other = harness.connect("dev-o", 0);
        other.push(other.insert("before", 0, Map.of("title", "x")));
        long cursor = 1;
        other.push(other.insert("shared", 9, Map.of("title", "created by dev-o")));
        Ack ack = creator.push(creator.insert("shared", 10, Map.of("title", "written by dev-c")));
        assertThat(ack.results()).extracting(ChangeResult::status).containsExactly(ChangeStatus.APPLIED);
        long own = store.info(SCOPE).head();
        other.push(other.delete("shared", 12));

        Changes page = creator.pullOwn(cursor, 100, own);
        assertThat(page.changes()).extracting(Change::globalId).containsExactly("shared");
        assertThat(page.changes()).extracting(Change::op).containsExactly(Op.DELETE);
        assertThat(page.sequences()).containsExactly(store.info(SCOPE).head());
    }

    @Test
    void aTombstoneWhoseRowDiedBeforeTheDevicesOwnChangesIsStillSkipped() {
        ServerHarness.Device creator = harness.connect("dev-c", 0);
        ServerHarness.Device other = harness.connect("dev-o", 0);
        other.push(other.insert("before", 0, Map.of("title", "x")));
        long cursor = 1;
        other.push(other.insert("gone", 9, Map.of("title", "born and died")), other.delete("gone", 10));
        creator.push(creator.insert("mine", 11, Map.of("title", "created by dev-c")));
        long own = store.info(SCOPE).head();

        assertThat(creator.pullOwn(cursor, 100, own).changes()).isEmpty();
    }

    @Test
    void aDevicesOwnWinningChangesAreNotSentBack() {
        ServerHarness.Device a = harness.connect("dev-a", 0);
        ServerHarness.Device b = harness.connect("dev-b", 0);
        a.push(a.insert("mine", 0, Map.of("title", "a")));
        b.push(b.insert("theirs", 1, Map.of("title", "b")));
        assertThat(a.pull(0, 100).changes()).extracting(Change::globalId).containsExactly("theirs");
        assertThat(b.pull(0, 100).changes()).extracting(Change::globalId).containsExactly("mine");
    }

    @Test
    void aRepairingDeviceGetsItsOwnRowsBackAndLearnsItsMarkAtWelcome() {
        ServerHarness.Device a = harness.connect("dev-a", 0);
        ServerHarness.Device b = harness.connect("dev-b", 0);
        a.push(a.insert("mine-before", 0, Map.of("title", "a0")));
        long backupCursor = store.info(SCOPE).head();
        a.push(a.insert("mine-after", 1, Map.of("title", "a1")), a.update("mine-before", 2, Map.of("title", "a0!"), "title"));
        b.push(b.insert("theirs", 3, Map.of("title", "b")));

        // a file restored to the backup: the server's mark of the device is above what the backup knew
        ServerHarness.Device restored = harness.connect("dev-a", backupCursor);
        assertThat(restored.connection().sent(Welcome.class).get(0).deviceMark()).isEqualTo(3);
        assertThat(restored.pull(backupCursor, 100).changes()).extracting(Change::globalId).containsExactly("theirs");
        Changes repair = restored.pullSelf(backupCursor, 100);
        assertThat(repair.mode()).isEqualTo(ChangesMode.CATCH_UP);
        assertThat(repair.changes()).extracting(Change::globalId).containsExactly("mine-after", "mine-before", "theirs");
        assertThat(repair.changes().get(1).row()).containsEntry("title", "a0!");

        // from nothing: a full snapshot, own rows included
        Changes fromZero = restored.pullSelf(0, 100);
        assertThat(fromZero.mode()).isEqualTo(ChangesMode.SNAPSHOT);
        assertThat(fromZero.changes()).extracting(Change::globalId).containsExactlyInAnyOrder("mine-after", "mine-before", "theirs");
        assertThat(harness.connect("dev-c", 0).connection().sent(Welcome.class).get(0).deviceMark()).isZero();
    }

    @Test
    void pagesAreBoundedAndResumingFromAMidCatchUpCursorMissesNothingAndRepeatsNothing() {
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        for (int i = 0; i < 7; i++) {
            writer.push(writer.insert("g" + i, i, Map.of("n", (long) i)));
        }
        writer.push(writer.delete("g2", 20), writer.insert("gone", 21, Map.of("n", 0L)), writer.delete("gone", 22));

        ServerHarness.Device reader = harness.connect("dev-r", 0);
        List<String> seen = new ArrayList<>();
        long cursor = 0;
        int pages = 0;
        Changes page;
        do {
            page = reader.pull(cursor, 2);
            assertThat(page.changes()).hasSizeLessThanOrEqualTo(2);
            assertThat(page.fromCursor()).isEqualTo(cursor);
            page.changes().forEach(c -> seen.add(c.globalId() + (c.op() == Op.DELETE ? ":deleted" : "")));
            cursor = page.cursor();
            pages++;
        } while (page.hasMore());
        assertThat(pages).isGreaterThanOrEqualTo(3);
        // g2 was created at sequence 3 and deleted at 8: a device resuming from a cursor past 3 cannot be
        // told apart from one that had the row, so it gets a (harmless) delete; "gone" was never visible
        assertThat(seen).containsExactly("g0", "g1", "g3", "g4", "g5", "g6", "g2:deleted");
        assertThat(cursor).isEqualTo(store.info(SCOPE).head());
        assertThat(reader.pull(cursor, 2).changes()).isEmpty();
    }

    @Test
    void pagesAreBoundedByBytesButAlwaysCarryAtLeastOneRow() {
        harness.close();
        harness = new ServerHarness(store, SCOPE.name(), TableResolvers.lastWriteWins(),
                ServerOptions.builder().nodeId("n").pageBytes(500).build());
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        for (int i = 0; i < 3; i++) {
            writer.push(writer.insert("g" + i, i, Map.of("blob", "x".repeat(300))));
        }
        ServerHarness.Device reader = harness.connect("dev-r", 0);
        Changes first = reader.pull(0, 100);
        assertThat(first.changes()).hasSize(1);
        assertThat(first.hasMore()).isTrue();
        assertThat(first.estimatedRemaining()).isEqualTo(2);
        Changes second = reader.pull(first.cursor(), 100);
        assertThat(second.changes()).extracting(Change::globalId).containsExactly("g1");
    }

    @Test
    void aCursorBelowTheHorizonGetsResyncAndASnapshotWithoutTombstones() {
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        writer.push(writer.insert("keep", 0, Map.of("title", "k")), writer.insert("drop", 1, Map.of("title", "d")));
        writer.push(writer.delete("drop", 2));
        writer.push(writer.insert("mine-too", 3, Map.of("title", "w")));
        storeClock.advance(Duration.ofDays(31));
        harness.clock().advance(Duration.ofDays(31));
        harness.server().pruneNow();
        assertThat(store.info(SCOPE).horizon()).isEqualTo(3);

        ServerHarness.Device stale = harness.connect("dev-w", 2);
        Welcome welcome = stale.await(Welcome.class, w -> true);
        assertThat(welcome.resyncRequired()).isTrue();
        List<Changes> pages = new ArrayList<>();
        long cursor = 2;
        Changes page;
        do {
            page = stale.pull(cursor, 1);
            pages.add(page);
            cursor = page.cursor();
        } while (page.hasMore());
        assertThat(pages).extracting(Changes::mode).containsOnly(ChangesMode.SNAPSHOT);
        assertThat(pages.get(0).fromCursor()).isZero();
        // the device's own rows are part of a snapshot: it deletes whatever the snapshot lacks
        assertThat(pages.stream().flatMap(p -> p.changes().stream()).map(Change::globalId).toList())
                .containsExactly("keep", "mine-too");
        assertThat(cursor).isEqualTo(store.info(SCOPE).head());

        // afterwards the same device catches up normally (its new session replaced the writer's: one live session per id)
        assertThat(writer.connection().isOpen()).isFalse();
        stale.push(stale.insert("later", 40, Map.of("title", "l")));
        ServerHarness.Device other = harness.connect("dev-o", cursor);
        assertThat(other.await(Welcome.class, w -> true).resyncRequired()).isFalse();
        Changes next = other.pull(cursor, 10);
        assertThat(next.mode()).isEqualTo(ChangesMode.CATCH_UP);
        assertThat(next.changes()).extracting(Change::globalId).containsExactly("later");
    }

    @Test
    void aCursorAboveTheHeadIsServedASnapshot() {
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        writer.push(writer.insert("g1", 0, Map.of("title", "x")));
        ServerHarness.Device lost = harness.connect("dev-l", 99);
        assertThat(lost.await(Welcome.class, w -> true).resyncRequired()).isTrue();
        Changes page = lost.pull(99, 10);
        assertThat(page.mode()).isEqualTo(ChangesMode.SNAPSHOT);
        assertThat(page.fromCursor()).isZero();
        assertThat(page.cursor()).isEqualTo(1);
        assertThat(page.changes()).extracting(Change::globalId).containsExactly("g1");
    }

    @Test
    void aRowDeletedWhileASnapshotIsServedIsSentAsADelete() {
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        writer.push(writer.insert("g1", 0, Map.of("t", 1L)), writer.insert("g2", 1, Map.of("t", 2L)));
        ServerHarness.Device lost = harness.connect("dev-l", 99);
        Changes first = lost.pull(99, 1);
        assertThat(first.changes()).extracting(Change::globalId).containsExactly("g1");
        writer.push(writer.delete("g1", 5));
        Changes rest = lost.pull(first.cursor(), 10);
        assertThat(rest.mode()).isEqualTo(ChangesMode.SNAPSHOT);
        assertThat(rest.changes()).extracting(Change::globalId, Change::op)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("g2", Op.INSERT), org.assertj.core.groups.Tuple.tuple("g1", Op.DELETE));
        assertThat(rest.hasMore()).isFalse();
    }
}
