package io.pocketsync.it.convergence;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.server.engine.auth.AnonymousAuthenticator;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.testkit.server.RawClient;
import io.pocketsync.testkit.store.InMemoryServerStore;
import io.pocketsync.testkit.transport.InMemoryNetwork;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A real {@link SyncServer} (last-write-wins) over an {@link InMemoryServerStore}, reached over an
 * {@link InMemoryNetwork} by {@link HandDrivenDevice}s and by other devices that are plain {@link RawClient}s.
 */
final class ConvergenceFixture implements AutoCloseable {
    static final String SCOPE = "convergence";

    final InMemoryNetwork network = new InMemoryNetwork(100_000);
    final InMemoryServerStore store = new InMemoryServerStore();
    /** The store the server uses: {@link #store}, with a way to slip another batch in after a device's batch. */
    final InterleavingStore serverStore = new InterleavingStore(store);
    final SyncServer server;
    private final Path dir;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final long now = System.currentTimeMillis();

    ConvergenceFixture(Path dir) {
        this.dir = dir;
        this.server = SyncServer.builder().store(serverStore).authenticator(new AnonymousAuthenticator(Set.of())).build();
        server.start();
        network.serverTransport().start(server::accept);
    }

    HandDrivenDevice device(String name) {
        HandDrivenDevice device = new HandDrivenDevice(dir, name, network, SCOPE);
        opened.add(device);
        return device;
    }

    /** Another device, whose changes carry HLC wall times {@code now + offsetMillis + millis}. */
    RawClient other(String deviceId, long offsetMillis) {
        RawClient client = RawClient.welcomed(network, SCOPE, deviceId, "", 0, now + offsetMillis);
        opened.add(client);
        return client;
    }

    /** Pushes one change of row {@code gid} of the device table from {@code client} and returns its ACK. */
    static Ack write(RawClient client, Op op, String gid, long millis, String id, String title) {
        return client.push(change(client, op, gid, millis, id, title));
    }

    /** A change of row {@code gid} of the device table by {@code client}. */
    static Change change(RawClient client, Op op, String gid, long millis, String id, String title) {
        Map<String, Object> row = op == Op.DELETE ? Map.of() : Map.of("id", id, "title", title);
        return client.changeIn(HandDrivenDevice.TABLE, op, gid, millis, row, List.of());
    }

    RowState serverRow(String gid) {
        return store.row(Scope.of(SCOPE), HandDrivenDevice.TABLE, gid).orElse(null);
    }

    /** The server's live rows of the device table, shaped like {@link HandDrivenDevice#rows()}. */
    Map<String, Map<String, Object>> serverRows() {
        Map<String, Map<String, Object>> rows = new TreeMap<>();
        for (RowState state : store.page(Scope.of(SCOPE), 0, 10_000, false).rows()) {
            rows.put(state.globalId(), new TreeMap<>(state.row()));
        }
        return rows;
    }

    @Override
    public void close() {
        for (AutoCloseable closeable : opened) {
            try {
                closeable.close();
            }
            catch (Exception e) {
                // keep closing
            }
        }
        network.close();
        server.close();
        store.close();
    }
}
