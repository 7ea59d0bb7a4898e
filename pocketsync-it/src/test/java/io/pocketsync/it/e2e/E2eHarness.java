package io.pocketsync.it.e2e;

import static java.util.Objects.requireNonNull;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.server.engine.auth.AnonymousAuthenticator;
import io.pocketsync.device.CatchUpProgress;
import io.pocketsync.device.DeviceOptions;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.PocketSyncDeviceBuilder;
import io.pocketsync.device.SyncStatusListener;
import io.pocketsync.device.capture.TestDb;
import io.pocketsync.server.engine.ServerOptions;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.server.engine.TableResolvers;
import io.pocketsync.testkit.store.InMemoryServerStore;
import io.pocketsync.testkit.transport.InMemoryNetwork;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Real device engines on real SQLite files, a real {@link SyncServer} over an {@link InMemoryServerStore},
 * connected by the testkit's {@link InMemoryNetwork}. One harness per test; {@link #close()} stops everything.
 */
final class E2eHarness implements AutoCloseable {
    static final String SCOPE = "e2e-scope";
    static final String TABLE_DDL = "CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT, note TEXT, done INTEGER)";

    final Path dir;
    final InMemoryNetwork network = new InMemoryNetwork(100_000);
    final InMemoryServerStore store;
    final SyncServer server;
    private final List<Node> nodes = new ArrayList<>();
    /** Run status and watch listeners on the engine thread (so a listener can act before the engine's next step). */
    boolean inlineListeners;

    E2eHarness(Path dir) {
        this(dir, TableResolvers.lastWriteWins(), ServerOptions.defaults());
    }

    E2eHarness(Path dir, TableResolvers resolvers, ServerOptions options) {
        this.dir = requireNonNull(dir, "dir is null");
        this.store = new InMemoryServerStore();
        this.server = SyncServer.builder().store(store).authenticator(new AnonymousAuthenticator(Set.of()))
                .resolvers(resolvers).options(options).build();
        server.start();
        network.serverTransport().start(server::accept);
    }

    /** A harness around a server built elsewhere (e.g. by an injector) on {@code store}. */
    E2eHarness(Path dir, SyncServer server, InMemoryServerStore store) {
        this.dir = requireNonNull(dir, "dir is null");
        this.store = requireNonNull(store, "store is null");
        this.server = requireNonNull(server, "server is null");
        server.start();
        network.serverTransport().start(server::accept);
    }

    /** A device on a new database file with the todo table, started. */
    Node device(String name) {
        return device(name, DeviceOptions.DEFAULTS.withPollInterval(Duration.ofMillis(10)));
    }

    Node device(String name, DeviceOptions options) {
        TestDb db = new TestDb(dir, name + ".db");
        db.exec(TABLE_DDL);
        return open(db, options);
    }

    /**
     * A device on a new database file made with {@code schema}, tracking {@code tables}, started (for apps whose
     * schema is not the todo table: relations, UNIQUE constraints, app triggers).
     */
    Node device(String name, String[] schema, String... tables) {
        TestDb db = new TestDb(dir, name + ".db");
        db.exec(schema);
        Node node = new Node(db, DeviceOptions.DEFAULTS.withPollInterval(Duration.ofMillis(10)), tables);
        nodes.add(node);
        node.start();
        return node;
    }

    /** A device engine on an existing database (e.g. after a restart), started. */
    Node open(TestDb db, DeviceOptions options) {
        Node node = new Node(db, options, "todo");
        nodes.add(node);
        node.start();
        return node;
    }

    Node open(TestDb db) {
        return open(db, DeviceOptions.DEFAULTS.withPollInterval(Duration.ofMillis(10)));
    }

    Scope scope() {
        return Scope.of(SCOPE);
    }

    RowState serverRow(String globalId) {
        return store.row(scope(), "todo", globalId).orElse(null);
    }

    /** Waits until every given device holds exactly the same todo rows (ps_global_id included) and has nothing pending. */
    static void awaitConverged(Node... devices) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Map<String, Map<String, Object>> first = devices[0].rows();
            for (Node device : devices) {
                if (device.engine.pendingCount() != 0 || !device.rows().equals(first)) {
                    return false;
                }
            }
            return true;
        });
    }

    @Override
    public void close() {
        for (Node node : nodes) {
            node.engine.close();
        }
        network.close();
        server.close();
        store.close();
    }

    /** One device: its database and its engine. */
    final class Node {
        final TestDb db;
        final PocketSyncDevice engine;
        final List<String> errors = new CopyOnWriteArrayList<>();
        final List<ErrorCode> errorCodes = new CopyOnWriteArrayList<>();
        final List<CatchUpProgress> progress = new CopyOnWriteArrayList<>();
        volatile Consumer<CatchUpProgress> progressHook = p -> {};

        Node(TestDb db, DeviceOptions options, String... tables) {
            this.db = db;
            PocketSyncDeviceBuilder builder = PocketSyncDevice.builder();
            if (inlineListeners) {
                builder.listenerExecutor(Runnable::run);
            }
            this.engine = builder.dataSource(db.dataSource).tables(tables).scope(SCOPE)
                    .server(URI.create("mem://server")).transport(network.clientTransport()).options(options)
                    .statusListener(new SyncStatusListener() {
                        @Override
                        public void catchingUp(CatchUpProgress value) {
                            progress.add(value);
                            progressHook.accept(value);
                        }

                        @Override
                        public void error(ErrorCode code, String message) {
                            errorCodes.add(code);
                            errors.add(code + " " + message);
                        }
                    })
                    .build();
        }

        void start() {
            engine.start();
        }

        String id() {
            return engine.deviceId();
        }

        void exec(String sql, Object... args) {
            db.exec(sql, args);
        }

        /** Every todo row keyed by ps_global_id, all columns. */
        Map<String, Map<String, Object>> rows() {
            Map<String, Map<String, Object>> rows = new TreeMap<>();
            for (Map<String, Object> row : db.query("SELECT * FROM todo")) {
                // a row the engine has not sealed yet has no id: keyed apart, so it compares unequal until it has one
                Object gid = row.get("ps_global_id");
                rows.put(gid != null ? (String) gid : "(not sealed yet) " + row.get("id"), row);
            }
            return rows;
        }

        String gid(String id) {
            List<Map<String, Object>> rows = db.query("SELECT ps_global_id FROM todo WHERE id = ?", id);
            return rows.isEmpty() ? null : (String) rows.get(0).get("ps_global_id");
        }

        Object value(String id, String column) {
            List<Map<String, Object>> rows = db.query("SELECT " + column + " FROM todo WHERE id = ?", id);
            return rows.isEmpty() ? null : rows.get(0).get(column);
        }

        void offline() {
            network.setOnline(id(), false);
        }

        void online() {
            network.setOnline(id(), true);
        }

        /** Offline, and the connection it had is closed (what it writes from now on waits). */
        void disconnect() {
            offline();
            await().until(() -> !network.isConnected(id()));
        }
    }
}
