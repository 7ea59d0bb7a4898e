package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.auth.Grant;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server's side of a table catch-up (PULL {@code tables}, protocol 4, docs/protocol.md 3.8): pages of the named tables
 * only, the device's own rows included, naming the tables, never a snapshot; and WELCOME's grant.
 */
class TableCatchUpTest {
    private static final List<String> BOTH = List.of("todo", "note");
    private static final List<String> NOTE = List.of("note");

    private final InMemoryServerStore store = new InMemoryServerStore();
    private final ServerHarness harness = new ServerHarness(store, "scope-join");

    @AfterEach
    void close() {
        harness.close();
        store.close();
    }

    /** Pulls a table catch-up of {@code tables} from {@code cursor} to its last page; every page it got. */
    private static List<Changes> catchUp(ServerHarness.Device device, List<String> tables, long cursor, int limit) {
        List<Changes> pages = new ArrayList<>();
        Changes page;
        long from = cursor;
        do {
            int before = device.pages().size();
            device.send(new Pull(ProtocolVersion.CURRENT, from, limit, 0, true, null, tables));
            org.awaitility.Awaitility.await().until(() -> device.pages().size() > before);
            page = device.pages().get(device.pages().size() - 1);
            pages.add(page);
            from = page.cursor();
        }
        while (page.hasMore());
        return pages;
    }

    @Test
    void pagesHoldOnlyTheNamedTablesWithTheDevicesOwnRowsAndNameThem() {
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        for (int i = 0; i < 20; i++) {
            writer.push(writer.insertInto("todo", "t" + i, i, Map.of("title", "todo " + i)));
        }
        ServerHarness.Device joiner = harness.connect("dev-j", 20, BOTH);
        joiner.push(joiner.insertInto("note", "mine", 30, Map.of("text", "written here")));
        writer.push(writer.insertInto("note", "n1", 31, Map.of("text", "theirs")));

        List<Changes> pages = catchUp(joiner, NOTE, 0, 3);
        List<Change> received = pages.stream().flatMap(p -> p.changes().stream()).toList();
        assertThat(received).extracting(Change::globalId).containsExactly("mine", "n1");
        assertThat(pages).allSatisfy(page -> {
            assertThat(page.mode()).isEqualTo(ChangesMode.CATCH_UP);
            assertThat(page.tables()).containsExactly("note");
        });
        assertThat(pages.get(pages.size() - 1).cursor()).isEqualTo(22);
        assertThat(pages.get(0).fromCursor()).isZero();
    }

    @Test
    void aTableOutsideTheSubscriptionIsRefusedAndTheSessionGoesOn() {
        ServerHarness.Device todos = harness.connect("dev-t", 0, List.of("todo"));
        todos.send(new Pull(ProtocolVersion.CURRENT, 0, 100, 0, true, null, NOTE));
        ErrorMessage refused = todos.await(ErrorMessage.class, e -> true);
        assertThat(refused.code()).isEqualTo(ErrorCode.TABLE_NOT_SUBSCRIBED);
        assertThat(refused.message()).contains("'note'");
        assertThat(todos.pages()).isEmpty();
        assertThat(todos.pull(0, 100).tables()).isNull();
    }

    @Test
    void belowTheHorizonItStaysACatchUpAndAboveTheHeadItStartsAgainFromZero() {
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        writer.push(writer.insertInto("note", "gone", 0, Map.of("text", "deleted")));
        writer.push(new Change("dev-w-del", "note", "gone", io.pocketsync.api.model.Op.DELETE, Map.of(), List.of(),
                Hlc.of(ServerHarness.NOW_MILLIS + 1, 0), "dev-w"));
        writer.push(writer.insertInto("note", "kept", 2, Map.of("text", "kept")));
        store.prune(Scope.of(harness.scope()), Instant.now().plus(java.time.Duration.ofDays(365)));
        assertThat(store.info(Scope.of(harness.scope())).horizon()).isPositive();

        ServerHarness.Device joiner = harness.connect("dev-j", 3, BOTH);
        Changes fromZero = catchUp(joiner, NOTE, 0, 100).get(0);
        assertThat(fromZero.mode()).isEqualTo(ChangesMode.CATCH_UP);
        assertThat(fromZero.changes()).extracting(Change::globalId).containsExactly("kept");

        Changes restarted = catchUp(joiner, NOTE, 99, 100).get(0);
        assertThat(restarted.fromCursor()).isZero();
        assertThat(restarted.changes()).extracting(Change::globalId).containsExactly("kept");
    }

    @Test
    void aTableCatchUpLeavesTheSessionsSnapshotInProgressAlone() {
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        for (int i = 0; i < 6; i++) {
            writer.push(writer.insertInto("todo", "t" + i, i, Map.of("title", "todo " + i)));
        }
        writer.push(writer.insertInto("note", "n1", 10, Map.of("text", "note")));
        ServerHarness.Device device = harness.connect("dev-d", 0, BOTH);
        Changes first = device.pullSelf(0, 2);
        assertThat(first.mode()).isEqualTo(ChangesMode.SNAPSHOT);
        catchUp(device, NOTE, 0, 100);
        Changes second = device.pullSelf(first.cursor(), 2);
        assertThat(second.mode()).as("the snapshot goes on from its last page").isEqualTo(ChangesMode.SNAPSHOT);
        assertThat(second.fromCursor()).isEqualTo(first.cursor());
    }

    @Test
    void welcomeSaysTheGrantToProtocolFourAndNotBefore() {
        assertThat(welcome("dev-rw", "secret-", ProtocolVersion.CURRENT).grant()).isEqualTo(Grant.READ_WRITE);
        assertThat(welcome("dev-r", "read-only-", ProtocolVersion.CURRENT).grant()).isEqualTo(Grant.READ_ONLY);
        Welcome old = welcome("dev-v3", "read-only-", ProtocolVersion.SCOPES);
        assertThat(old.protocolVersion()).isEqualTo(ProtocolVersion.SCOPES);
        assertThat(old.grant()).isNull();
    }

    private Welcome welcome(String deviceId, String tokenPrefix, int version) {
        ServerHarness.Device device = harness.open(deviceId);
        device.send(new Hello(version, deviceId, harness.scope(), tokenPrefix + harness.scope(), 0,
                Hlc.of(ServerHarness.NOW_MILLIS, 0)));
        return device.await(Welcome.class, w -> true);
    }
}
