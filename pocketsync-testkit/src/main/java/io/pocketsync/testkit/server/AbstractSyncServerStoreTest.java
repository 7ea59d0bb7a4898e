package io.pocketsync.testkit.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.testkit.store.MutableClock;
import io.pocketsync.testkit.store.TestResolvers;
import io.pocketsync.testkit.transport.InMemoryNetwork;
import io.pocketsync.testkit.transport.InMemoryServerTransport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server engine over a real store, spoken to by {@link RawClient}s through an {@link InMemoryNetwork}:
 * every test sends protocol messages and checks the replies and the store. A store module's test extends
 * this class, opens its store in {@link #newStore} and wires the engine in {@link #startServer}.
 *
 * <p>Each test uses fresh scope names, so stores may share data across tests as long as {@link #cleanUp()}
 * removes what a test created. Servers, clients, the network and stores are closed after each test.
 */
public abstract class AbstractSyncServerStoreTest {
    /** The server clock; device HLCs count from it. Tests move it instead of sleeping. */
    protected final MutableClock clock = new MutableClock(Instant.parse("2031-03-01T00:00:00Z"));
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /**
     * Opens a store over this test's data (every call of one test sees the same data).
     *
     * @param nodeId the node id the store reports in its change feed
     * @param clock the server clock; pass it to the provider's context
     * @return the open store
     */
    protected abstract ServerStore newStore(String nodeId, Clock clock);

    /**
     * Builds and starts the engine over {@code store} as {@code setup} says, and starts {@code transport}
     * with it as the acceptor. The returned handle stops the engine (not the store nor the transport).
     *
     * @param store the store the engine writes to
     * @param transport the in-memory transport devices connect through
     * @param setup node id, tokens, clock and resolvers
     * @return closes the engine
     */
    protected abstract AutoCloseable startServer(ServerStore store, InMemoryServerTransport transport, ServerSetup setup);

    /**
     * Removes what the test stored; runs after everything is closed.
     *
     * @throws Exception when cleaning up fails
     */
    protected void cleanUp() throws Exception {}

    @AfterEach
    final void closeEverything() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        cleanUp();
    }

    /**
     * Closes {@code closeable} after the test (in reverse order of registration).
     *
     * @param <T> the closeable's type
     * @param closeable what to close
     * @return {@code closeable}
     */
    protected final <T extends AutoCloseable> T closeLater(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    /** One server node on its own network, and the scopes (with tokens) it serves. */
    protected final class Node {
        /** The node's store. */
        public final ServerStore store;
        /** The network the node's devices connect through. */
        public final InMemoryNetwork network;
        private final Map<String, String> tokens;

        Node(ServerStore store, InMemoryNetwork network, Map<String, String> tokens) {
            this.store = store;
            this.network = network;
            this.tokens = tokens;
        }

        /**
         * The token that grants {@code scope} on this node.
         *
         * @param scope a scope the node serves
         * @return the token, or null for a scope it does not serve
         */
        public String token(String scope) {
            return tokens.get(scope);
        }

        /**
         * A client of {@code scope} welcomed at {@code cursor}.
         *
         * @param scope the scope
         * @param device the device id
         * @param cursor the cursor sent in HELLO
         * @return the welcomed client
         */
        public RawClient client(String scope, String device, long cursor) {
            return closeLater(RawClient.welcomed(network, scope, device, token(scope), cursor, clock.millis()));
        }

        /**
         * A client that has sent HELLO with any token and has not been answered yet.
         *
         * @param scope the scope
         * @param device the device id
         * @param token the token sent in HELLO
         * @return the client
         */
        public RawClient hello(String scope, String device, String token) {
            return closeLater(RawClient.connect(network, scope, device, token, 0, clock.millis()));
        }
    }

    /**
     * Starts a node over a new store (sharing this test's data) serving {@code scopes}.
     *
     * @param nodeId the node id
     * @param resolver the default resolver's name
     * @param tables resolvers for particular tables
     * @param scopes the scopes it serves, each with a fresh token
     * @return the started node
     */
    protected final Node startNode(String nodeId, String resolver, Map<String, ConflictResolver> tables, String... scopes) {
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String scope : scopes) {
            tokens.put(scope, "token-" + scope);
        }
        ServerStore store = closeLater(newStore(nodeId, clock));
        InMemoryNetwork network = closeLater(new InMemoryNetwork());
        closeLater(startServer(store, network.serverTransport(), new ServerSetup(nodeId, tokens, clock, resolver, tables)));
        return new Node(store, network, tokens);
    }

    /**
     * A last-write-wins node.
     *
     * @param scopes the scopes it serves
     * @return the started node
     */
    protected final Node startNode(String... scopes) {
        return startNode("node-" + UUID.randomUUID().toString().substring(0, 8), "last-write-wins", Map.of(), scopes);
    }

    /**
     * A scope name no other test uses.
     *
     * @return {@code scope-} and a random UUID
     */
    protected static String uniqueScope() {
        return "scope-" + UUID.randomUUID();
    }

    /**
     * A row image from alternating column names and values.
     *
     * @param keysAndValues column, value, column, value, ...
     * @return a mutable, ordered row
     */
    protected static Map<String, Object> row(Object... keysAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return row;
    }

    /**
     * The status of each result of an ACK, in order.
     *
     * @param ack the ACK
     * @return the statuses
     */
    protected static List<ChangeStatus> statuses(Ack ack) {
        return ack.results().stream().map(ChangeResult::status).toList();
    }

    /**
     * The changes of catch-up pages by row id; fails when a row comes twice.
     *
     * @param pages the pages, in order
     * @return one change per row, in arrival order
     */
    protected static Map<String, Change> byGlobalId(List<Changes> pages) {
        Map<String, Change> changes = new LinkedHashMap<>();
        for (Changes page : pages) {
            for (Change change : page.changes()) {
                assertThat(changes.put(change.globalId(), change)).as("row %s sent twice", change.globalId()).isNull();
            }
        }
        return changes;
    }

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
        otherScopesToken.awaitError(ErrorCode.SCOPE_FORBIDDEN);
        assertThat(wrongToken.received(Welcome.class)).isEmpty();
        assertThat(otherScopesToken.received(Welcome.class)).isEmpty();
    }

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
