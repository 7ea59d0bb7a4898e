package io.pocketsync.testkit.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.testkit.store.TestResolvers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Part of the {@link AbstractSyncServerStoreTest sync server contract}: ingest of pushes (clock ties,
 * clock skew, duplicates, unresolvable batches) and scope isolation.
 */
abstract class SyncServerIngestContract extends SyncServerStoreFixture {
    // ---------------------------------------------------------------- ingest

    @Test
    void lastWriteWinsBreaksClockTiesByDeviceId() {
        String scope = uniqueScope();
        Node node = startNode(scope);
        RawClient a = node.client(scope, "dev-a", 0);
        RawClient b = node.client(scope, "dev-b", 0);

        assertThat(statuses(a.push(a.insert("r1", 10, row("title", "from a"))))).containsExactly(ChangeStatus.APPLIED);
        // same HLC, higher device id: b wins
        assertThat(statuses(b.push(b.update("r1", 10, row("title", "from b"), "title")))).containsExactly(ChangeStatus.APPLIED);
        // same HLC again from a: a loses the tie and learns the winner
        Ack lost = a.push(a.update("r1", 10, row("title", "a again"), "title"));
        assertThat(statuses(lost)).containsExactly(ChangeStatus.SUPERSEDED);
        assertThat(lost.results().get(0).winner().row()).isEqualTo(row("title", "from b"));
        assertThat(lost.results().get(0).winner().deviceId()).isEqualTo("dev-b");
        // a later HLC from a wins
        assertThat(statuses(a.push(a.update("r1", 11, row("title", "a later"), "title")))).containsExactly(ChangeStatus.APPLIED);
        assertThat(node.store.row(Scope.of(scope), RawClient.TABLE, "r1").orElseThrow().row()).isEqualTo(row("title", "a later"));
        assertThat(node.store.info(Scope.of(scope)).head()).isEqualTo(3);
    }

    @Test
    void changesTooFarAheadOfTheServerClockAreRejected() {
        String scope = uniqueScope();
        Node node = startNode(scope);
        RawClient a = node.client(scope, "dev-a", 0);

        Ack ack = a.push(a.insert("ok", Duration.ofMinutes(4).toMillis(), row("n", 1L)),
                a.insert("ahead", Duration.ofMinutes(6).toMillis(), row("n", 2L)));

        assertThat(statuses(ack)).containsExactly(ChangeStatus.APPLIED, ChangeStatus.REJECTED);
        assertThat(ack.results().get(1).errorCode()).isEqualTo(ErrorCode.CLOCK_SKEW);
        assertThat(node.store.row(Scope.of(scope), RawClient.TABLE, "ahead")).isEmpty();
        assertThat(node.store.info(Scope.of(scope)).head()).isEqualTo(1);
    }

    @Test
    void duplicatePushesAreAnsweredDuplicateAndStoredOnce() {
        String scope = uniqueScope();
        Node node = startNode(scope);
        RawClient a = node.client(scope, "dev-a", 0);
        Change first = a.insert("r1", 1, row("n", 1L));
        Change second = a.insert("r2", 2, row("n", 2L));

        String batch = a.sendPush(first, second);
        a.await(Ack.class, ack -> ack.batchId().equals(batch));
        a.sendPush(batch, first, second); // the device re-sends after a lost ACK
        Ack again = a.await(Ack.class, ack -> ack.batchId().equals(batch) && ack.results().get(0).status() == ChangeStatus.DUPLICATE);
        Ack mixed = a.push(second, a.insert("r3", 3, row()), second);

        assertThat(statuses(again)).containsExactly(ChangeStatus.DUPLICATE, ChangeStatus.DUPLICATE);
        assertThat(statuses(mixed)).containsExactly(ChangeStatus.DUPLICATE, ChangeStatus.APPLIED, ChangeStatus.DUPLICATE);
        assertThat(mixed.results().get(1).sequence()).isEqualTo(3);
        assertThat(node.store.info(Scope.of(scope)).head()).isEqualTo(3);
    }

    @Test
    void aBatchTheStoreCannotResolveStoresNothingAndIsAnsweredWithAnError() {
        String scope = uniqueScope();
        Node node = startNode("node-fragile", "last-write-wins", Map.of("fragile", TestResolvers.failingOn("boom")), scope);
        RawClient a = node.client(scope, "dev-a", 0);
        RawClient watcher = node.client(scope, "dev-w", 0);

        Change good = a.insert("r1", 1, row("n", 1L));
        Change template = a.changeIn("fragile", Op.INSERT, "f1", 2, row("n", 2L), List.of());
        Change boom = new Change("boom", template.table(), template.globalId(), template.op(), template.row(),
                List.of(), template.hlc(), template.deviceId());
        String batch = a.sendPush(good, boom);
        ErrorMessage error = a.await(ErrorMessage.class, e -> batch.equals(e.refId()));

        assertThat(error.code()).isIn(ErrorCode.INTERNAL, ErrorCode.STORE_UNAVAILABLE);
        assertThat(a.received(Ack.class)).noneMatch(ack -> ack.batchId().equals(batch));
        assertThat(node.store.info(Scope.of(scope)).head()).isZero();
        assertThat(node.store.row(Scope.of(scope), RawClient.TABLE, "r1")).isEmpty();
        // the good change was not recorded as processed: sent again alone it applies
        assertThat(statuses(a.push(good))).containsExactly(ChangeStatus.APPLIED);
        watcher.await(Changes.class, c -> c.mode() == ChangesMode.LIVE);
        assertThat(watcher.live()).singleElement().satisfies(live -> {
            assertThat(live.fromCursor()).isZero();
            assertThat(live.cursor()).isEqualTo(1);
        });
    }

    @Test
    void scopesAreIsolatedAndBadTokensAreRefused() {
        String mine = uniqueScope();
        String theirs = uniqueScope();
        Node node = startNode(mine, theirs);
        RawClient a = node.client(mine, "dev-a", 0);
        RawClient other = node.client(theirs, "dev-x", 0);

        a.push(a.insert("secret", 1, row("title", "mine")));
        other.push(other.insert("theirs", 1, row("title", "theirs")));

        RawClient otherReader = node.client(theirs, "dev-y", 0);
        assertThat(byGlobalId(otherReader.pullAll(0, 100))).containsOnlyKeys("theirs");
        assertThat(byGlobalId(a.pullAll(0, 100))).isEmpty(); // its own row is not sent back
        assertThat(other.live()).allSatisfy(live -> assertThat(live.changes()).noneMatch(c -> c.globalId().equals("secret")));
        assertThat(node.store.row(Scope.of(theirs), RawClient.TABLE, "secret")).isEmpty();

        RawClient wrongToken = node.hello(mine, "dev-bad", "not-a-token");
        assertThat(wrongToken.awaitError(ErrorCode.AUTH_FAILED).message()).doesNotContain("not-a-token");
        RawClient otherScopesToken = node.hello(mine, "dev-sneaky", node.token(theirs));
        // the same answer as a wrong token: a valid token of another scope must not tell a guesser it is valid
        assertThat(otherScopesToken.awaitError(ErrorCode.AUTH_FAILED).message()).isEqualTo(wrongToken.awaitError(ErrorCode.AUTH_FAILED).message());
        assertThat(wrongToken.received(Welcome.class)).isEmpty();
        assertThat(otherScopesToken.received(Welcome.class)).isEmpty();
    }
}
