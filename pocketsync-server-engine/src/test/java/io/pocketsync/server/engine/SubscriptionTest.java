package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Verify;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Table subscriptions (HELLO {@code tables}, docs/protocol.md "Table subscriptions"): what a session gets and may send. */
class SubscriptionTest {
    private static final List<String> TODO = List.of("todo");

    private final InMemoryServerStore store = new InMemoryServerStore();
    private final ServerHarness harness = new ServerHarness(store, "scope-subs");

    @AfterEach
    void close() {
        harness.close();
        store.close();
    }

    @Test
    void liveBroadcastsLeaveOutOtherTablesButMoveTheCursorOn() {
        ServerHarness.Device all = harness.connect("dev-all", 0);
        ServerHarness.Device todos = harness.connect("dev-todo", 0, TODO);
        Change todo = all.insertInto("todo", "t1", 0, Map.of("title", "milk"));
        Change note = all.insertInto("note", "n1", 1, Map.of("text", "secret"));
        all.push(todo, note);
        await().until(() -> todos.live().size() == 1);
        Changes mixed = todos.live().get(0);
        assertThat(mixed.changes()).containsExactly(todo);
        assertThat(mixed.sequences()).containsExactly(1L);
        assertThat(mixed.fromCursor()).isZero();
        assertThat(mixed.cursor()).isEqualTo(2);

        all.push(all.insertInto("note", "n2", 2, Map.of("text", "more")));
        await().until(() -> todos.live().size() == 2);
        Changes notesOnly = todos.live().get(1);
        assertThat(notesOnly.changes()).isEmpty();
        assertThat(notesOnly.fromCursor()).isEqualTo(2);
        assertThat(notesOnly.cursor()).isEqualTo(3);
    }

    @Test
    void catchUpPagesSkipOtherTablesAndStillReachTheHead() {
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        for (int i = 0; i < 30; i++) {
            writer.push(writer.insertInto("note", "n" + i, i, Map.of("text", "note " + i)));
        }
        writer.push(writer.insertInto("todo", "t1", 40, Map.of("title", "one")));
        writer.push(writer.insertInto("todo", "t2", 41, Map.of("title", "two")));
        ServerHarness.Device todos = harness.connect("dev-todo", 0, TODO);

        List<Change> received = new ArrayList<>();
        long cursor = 0;
        int pages = 0;
        Changes page;
        do {
            page = todos.pull(cursor, 2);
            assertThat(page.cursor()).as("every page moves the cursor on, even one of skipped rows only").isGreaterThan(cursor);
            received.addAll(page.changes());
            cursor = page.cursor();
            pages++;
        }
        while (page.hasMore());
        assertThat(received).extracting(Change::table).containsOnly("todo");
        assertThat(received).extracting(Change::globalId).containsExactly("t1", "t2");
        assertThat(cursor).isEqualTo(32);
        // SCAN_FACTOR bounds one PULL to 4 x 2 rows read: 30 skipped notes take several pages
        assertThat(pages).isGreaterThanOrEqualTo(4);
    }

    @Test
    void snapshotsHoldOnlyTheSubscribedTables() {
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        writer.push(writer.insertInto("todo", "t1", 0, Map.of("title", "one")),
                writer.insertInto("note", "n1", 1, Map.of("text", "hidden")));
        ServerHarness.Device todos = harness.connect("dev-todo", 0, TODO);
        Changes snapshot = todos.pullSelf(0, 100);
        assertThat(snapshot.mode()).isEqualTo(ChangesMode.SNAPSHOT);
        assertThat(snapshot.changes()).extracting(Change::globalId).containsExactly("t1");
        assertThat(snapshot.cursor()).isEqualTo(2);
        assertThat(snapshot.hasMore()).isFalse();
    }

    @Test
    void checksumsCoverOnlyTheSubscribedTables() {
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        writer.push(writer.insertInto("todo", "t1", 0, Map.of("title", "one")),
                writer.insertInto("note", "n1", 1, Map.of("text", "hidden")));
        ServerHarness.Device todos = harness.connect("dev-todo", 0, TODO);

        todos.send(new Verify(ProtocolVersion.CURRENT, 5, null, List.of(), List.of()));
        Checksums sums = todos.await(Checksums.class, c -> c.requestId() == 5);
        assertThat(sums.tables()).extracting(TableChecksum::table).containsExactly("todo");

        todos.send(new Pull(ProtocolVersion.CURRENT, 0, 100, 0, false, true));
        Changes last = todos.await(Changes.class, c -> c.mode() != ChangesMode.LIVE && !c.hasMore());
        assertThat(last.checksums()).isNotNull();
        assertThat(last.checksums().tables()).extracting(TableChecksum::table).containsExactly("todo");

        todos.send(new Verify(ProtocolVersion.CURRENT, 6, "note", List.of(0), List.of()));
        ErrorMessage refused = todos.await(ErrorMessage.class, e -> true);
        assertThat(refused.code()).isEqualTo(ErrorCode.TABLE_NOT_SUBSCRIBED);
        assertThat(refused.message()).contains("note");
        assertThat(todos.connection().sent(Checksums.class)).noneMatch(c -> c.requestId() == 6);
    }

    @Test
    void aPushToAnotherTableIsRejectedAndNotStored() {
        ServerHarness.Device todos = harness.connect("dev-todo", 0, TODO);
        Change todo = todos.insertInto("todo", "t1", 0, Map.of("title", "one"));
        Change note = todos.insertInto("note", "n1", 1, Map.of("text", "not mine"));
        Ack ack = todos.push(todo, note);
        assertThat(ack.results().get(0).status()).isEqualTo(ChangeStatus.APPLIED);
        assertThat(ack.results().get(1).status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(ack.results().get(1).errorCode()).isEqualTo(ErrorCode.TABLE_NOT_SUBSCRIBED);
        assertThat(ack.results().get(1).message()).contains("'note'");
        assertThat(store.info(Scope.of(harness.scope())).head()).isEqualTo(1);
        assertThat(store.row(Scope.of(harness.scope()), "note", "n1")).isEmpty();
    }

    @Test
    void aProtocolOneDeviceGetsEveryTableInProtocolOne() {
        ServerHarness.Device old = harness.open("dev-v1");
        old.send(new Hello(1, "dev-v1", harness.scope(), "secret-" + harness.scope(), 0, Hlc.of(ServerHarness.NOW_MILLIS, 0)));
        assertThat(old.await(Welcome.class, w -> true).protocolVersion()).isEqualTo(1);
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        writer.push(writer.insertInto("todo", "t1", 0, Map.of("title", "one")),
                writer.insertInto("note", "n1", 1, Map.of("text", "shown")));
        await().until(() -> old.live().size() == 1);
        assertThat(old.live().get(0).changes()).extracting(Change::table).containsExactly("todo", "note");
        assertThat(old.pull(0, 100).changes()).hasSize(2);
        assertThat(old.connection().sent()).extracting(Message::protocolVersion).containsOnly(1);
    }

    @Test
    void aTableNameThatIsNoIdentifierIsRefused() {
        ServerHarness.Device bad = harness.open("dev-bad");
        bad.send(new Hello(ProtocolVersion.CURRENT, "dev-bad", harness.scope(), "secret-" + harness.scope(), 0,
                Hlc.of(ServerHarness.NOW_MILLIS, 0), 0, List.of("todo", "")));
        assertThat(bad.await(ErrorMessage.class, e -> true).code()).isEqualTo(ErrorCode.IDENTIFIER_INVALID);
    }
}
