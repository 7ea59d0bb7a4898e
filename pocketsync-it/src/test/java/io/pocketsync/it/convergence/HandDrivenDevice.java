package io.pocketsync.it.convergence;

import static java.util.Objects.requireNonNull;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.device.capture.CaptureOptions;
import io.pocketsync.device.capture.SqliteTriggerCapture;
import io.pocketsync.device.capture.TestDb;
import io.pocketsync.testkit.server.RawClient;
import io.pocketsync.testkit.transport.InMemoryNetwork;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A device whose engine steps are taken by the test: the real trigger capture on a real SQLite file, and a
 * {@link RawClient} that carries its PUSH and PULL to a real server. The test decides when the device pushes,
 * when it pulls and which messages it applies, so races the convergence soak hits by chance replay exactly.
 *
 * <p>Not thread-safe; one test thread drives it.
 */
final class HandDrivenDevice implements AutoCloseable {
    static final String TABLE = "todo";

    final TestDb db;
    final SqliteTriggerCapture capture;
    final RawClient client;

    HandDrivenDevice(Path dir, String name, InMemoryNetwork network, String scope) {
        this.db = new TestDb(requireNonNull(dir, "dir is null"), name + ".db");
        db.exec("CREATE TABLE " + TABLE + " (id TEXT PRIMARY KEY, title TEXT)");
        this.capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
        capture.install(List.of(TABLE));
        capture.bindScope(scope);
        this.client = RawClient.welcomed(network, scope, capture.state().deviceId(), "", 0, System.currentTimeMillis());
    }

    String deviceId() {
        return capture.state().deviceId();
    }

    /** A write by the app (captured by the triggers). */
    void exec(String sql, Object... args) {
        db.exec(sql, args);
    }

    /** Pushes everything pending in one batch, waits for the ACK and lets the capture apply it. */
    Ack pushPending() {
        Ack ack = pushPendingLosingTheAck();
        capture.acknowledge(ack.results());
        return ack;
    }

    /** Pushes everything pending in one batch and waits for the ACK, which the device then never sees (lost). */
    Ack pushPendingLosingTheAck() {
        List<Change> changes = new ArrayList<>();
        for (LocalChange change : capture.pending(0, 1_000)) {
            changes.add(change.change());
        }
        return client.push(changes.toArray(Change[]::new));
    }

    /** Sends PULL from the stored cursor with the capture's {@code own}, and applies the page it gets. */
    Changes pullOnce() {
        long cursor = capture.state().cursor();
        int before = client.pages().size();
        client.send(new Pull(ProtocolVersion.CURRENT, cursor, 100, capture.ownChangesFrom(cursor)));
        Changes page = await().atMost(Duration.ofSeconds(10)).until(() -> client.pages().size() > before ? client.pages().get(before)
                : null, found -> found != null);
        apply(page);
        return page;
    }

    ApplyReport apply(Changes changes) {
        return capture.apply(changes.changes(), changes.sequences(), changes.fromCursor(), changes.cursor(), changes.mode(),
                !changes.hasMore());
    }

    /** The table by {@code ps_global_id}: the user columns of each row. */
    Map<String, Map<String, Object>> rows() {
        Map<String, Map<String, Object>> rows = new TreeMap<>();
        for (Map<String, Object> row : db.query("SELECT ps_global_id, id, title FROM " + TABLE)) {
            Map<String, Object> image = new TreeMap<>(row);
            rows.put((String) image.remove("ps_global_id"), image);
        }
        return rows;
    }

    @Override
    public void close() {
        client.close();
        capture.close();
    }
}
