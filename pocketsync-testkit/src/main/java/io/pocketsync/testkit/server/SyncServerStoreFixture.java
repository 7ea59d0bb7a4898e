package io.pocketsync.testkit.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.testkit.store.MutableClock;
import io.pocketsync.testkit.transport.InMemoryNetwork;
import io.pocketsync.testkit.transport.InMemoryServerTransport;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;

/**
 * What every part of the {@link AbstractSyncServerStoreTest sync server contract} shares: the store and server
 * factories a subclass provides, the nodes a test starts (closed after it), and helpers.
 */
abstract class SyncServerStoreFixture {
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
}
