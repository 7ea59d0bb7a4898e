package io.pocketsync.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import io.pocketsync.device.capture.TestDb;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several PUSHes in flight (DeviceOptions.pushWindow): ACKs matched by batch, a row never in two batches in
 * flight, everything pending sent again after an error or a timeout, nothing marked acked without an ACK.
 * The test plays the server by hand through {@link ManualTransport}.
 */
class PushWindowTest {
    @TempDir
    Path dir;
    private PocketSyncDevice device;

    @AfterEach
    void tearDown() {
        if (device != null) {
            device.close();
        }
    }

    @Test
    void keepsUpToTheWindowInFlightAndEachAckFreesOnePlace() {
        TestDb db = database();
        ManualTransport server = start(db, DeviceOptions.DEFAULTS.withPushBatchSize(2).withPushWindow(3));
        insertRows(db, 10);

        await().until(() -> server.pushes().size() == 3);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> server.pushes().size() == 3);
        assertThat(server.pushes()).allSatisfy(push -> assertThat(push.changes()).hasSize(2));
        assertThat(changeIds(server.pushes())).doesNotHaveDuplicates().hasSize(6);

        server.ack(server.pushes().get(0));
        await().until(() -> server.pushes().size() == 4);
        assertThat(pending(db)).isEqualTo(8);

        for (int i = 1; i < 5; i++) {
            int index = i;
            await().until(() -> server.pushes().size() > index);
            server.ack(server.pushes().get(index));
        }
        await().until(() -> pending(db) == 0);
        assertThat(changeIds(server.pushes())).doesNotHaveDuplicates().hasSize(10);
    }

    @Test
    void aBatchEndsBeforeARowThatIsStillInFlight() {
        TestDb db = database();
        ManualTransport server = start(db, DeviceOptions.DEFAULTS.withPushBatchSize(10).withPushWindow(4));
        db.exec("INSERT INTO todo (id, title) VALUES ('a', 'first')");
        await().until(() -> server.pushes().size() == 1);
        db.exec("UPDATE todo SET title = 'second' WHERE id = 'a'", "INSERT INTO todo (id, title) VALUES ('b', 'other')");
        // the update of 'a' waits for the ACK of its insert, and 'b' comes after it in local order
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> server.pushes().size() == 1);

        server.ack(server.pushes().get(0));
        await().until(() -> server.pushes().size() == 2);
        assertThat(server.pushes().get(1).changes()).extracting(c -> c.row().get("title")).containsExactly("second", "other");
    }

    @Test
    void anErrorSendsEverythingPendingAgainFromTheStartAndLateAcksAreIgnored() {
        TestDb db = database();
        ManualTransport server = start(db, DeviceOptions.DEFAULTS.withPushBatchSize(2).withPushWindow(3)
                .withPushTimeout(Duration.ofMinutes(5)));
        insertRows(db, 6);
        await().until(() -> server.pushes().size() == 3);
        List<Push> first = List.copyOf(server.pushes());

        server.reply(new ErrorMessage(ProtocolVersion.CURRENT, ErrorCode.STORE_UNAVAILABLE, "down", first.get(1).batchId()));
        await().until(() -> server.pushes().size() == 6);
        List<Push> again = server.pushes().subList(3, 6);
        assertThat(changeIds(again)).containsExactlyElementsOf(changeIds(first));

        server.ack(first.get(0)); // late: the batch was given up, a batch sent since carries its changes
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> pending(db) == 6);

        again.forEach(server::ack);
        await().until(() -> pending(db) == 0);
    }

    @Test
    void anOverdueAckSendsEverythingPendingAgainWithTheSameIds() {
        TestDb db = database();
        ManualTransport server = start(db, DeviceOptions.DEFAULTS.withPushBatchSize(2).withPushWindow(2)
                .withPushTimeout(Duration.ofMillis(400)));
        insertRows(db, 4);
        await().until(() -> server.pushes().size() >= 2);
        List<String> sent = changeIds(server.pushes().subList(0, 2));

        await().until(() -> server.pushes().size() >= 4);
        assertThat(changeIds(server.pushes().subList(2, 4))).containsExactlyElementsOf(sent);
        assertThat(pending(db)).isEqualTo(4);
    }

    @Test
    void aReconnectForgetsTheWindow() {
        TestDb db = database();
        ManualTransport server = start(db, DeviceOptions.DEFAULTS.withPushBatchSize(1).withPushWindow(2)
                .withPushTimeout(Duration.ofMinutes(5)));
        insertRows(db, 3);
        await().until(() -> server.pushes().size() == 2);

        server.reconnect();
        await().until(() -> server.pushes().size() == 4);
        assertThat(changeIds(server.pushes().subList(2, 4))).containsExactlyElementsOf(changeIds(server.pushes().subList(0, 2)));
    }

    @Test
    void aBacklogOfLargeRowsIsCutIntoPushesWithinTheByteBudget() {
        TestDb db = database();
        int budget = 8 * 1024;
        ManualTransport server = start(db, DeviceOptions.DEFAULTS.withPushBatchSize(100).withPushWindow(1)
                .withPushMaxBytes(budget).withPushTimeout(Duration.ofMinutes(5)));
        String large = "x".repeat(3000); // about 3 KiB (text counts its UTF-8 bytes): two rows to a PUSH
        List<String> statements = new ArrayList<>(List.of("BEGIN"));
        for (int i = 0; i < 9; i++) {
            statements.add("INSERT INTO todo (id, title) VALUES ('row-" + i + "', '" + large + "')");
        }
        statements.add("INSERT INTO todo (id, title) VALUES ('huge', '" + "y".repeat(10_000) + "')");
        statements.add("COMMIT");
        db.exec(statements.toArray(String[]::new));

        ackEachPushUntil(server, 10);
        await().until(() -> pending(db) == 0);
        assertThat(changeIds(server.pushes())).doesNotHaveDuplicates().hasSize(10);
        assertThat(server.pushes().get(0).changes()).hasSize(2);
        assertThat(server.pushes()).allSatisfy(push -> assertThat(push.changes().size() == 1
                || ChangePusher.withinBytes(localChanges(push), budget).size() == push.changes().size()).isTrue());
        // a single change above the budget is still sent, alone
        assertThat(server.pushes().get(server.pushes().size() - 1).changes()).singleElement()
                .satisfies(change -> assertThat(change.row().get("id")).isEqualTo("huge"));
    }

    @Test
    void aPushTheTransportRefusesAsTooLargeIsSentAgainInSmallerPushes() {
        TestDb db = database();
        ManualTransport server = start(db, DeviceOptions.DEFAULTS.withPushBatchSize(8).withPushWindow(1)
                .withPushTimeout(Duration.ofMinutes(5)));
        server.refuseAbove = 3;
        insertRows(db, 8);

        ackEachPushUntil(server, 8);
        await().until(() -> pending(db) == 0);
        assertThat(server.pushes()).allSatisfy(push -> assertThat(push.changes().size()).isLessThanOrEqualTo(3));
        assertThat(changeIds(server.pushes())).doesNotHaveDuplicates().hasSize(8);
    }

    /** Acknowledges PUSHes one by one, as they come, until {@code changes} changes were sent and all are acknowledged. */
    private static void ackEachPushUntil(ManualTransport server, int changes) {
        for (int index = 0; index < server.pushes().size() || changeIds(server.pushes()).size() < changes; index++) {
            int next = index;
            await().until(() -> server.pushes().size() > next);
            server.ack(server.pushes().get(next));
        }
    }

    private static List<LocalChange> localChanges(Push push) {
        List<LocalChange> out = new ArrayList<>();
        push.changes().forEach(change -> out.add(new LocalChange(out.size() + 1, change)));
        return out;
    }

    private TestDb database() {
        TestDb db = new TestDb(dir, "device.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT)");
        return db;
    }

    private ManualTransport start(TestDb db, DeviceOptions options) {
        ManualTransport transport = new ManualTransport();
        device = PocketSyncDevice.builder().dataSource(db.dataSource).tables("todo").scope("test-scope").token("secret")
                .server(URI.create("mem://server")).transport(transport)
                .options(options.withPollInterval(Duration.ofMillis(10))
                        .withCatchUpInterval(Duration.ofHours(1)))
                .build();
        device.start();
        await().until(() -> transport.welcomed);
        return transport;
    }

    private static void insertRows(TestDb db, int count) {
        List<String> statements = new ArrayList<>();
        statements.add("BEGIN");
        for (int i = 0; i < count; i++) {
            statements.add("INSERT INTO todo (id, title) VALUES ('row-" + i + "', 'title " + i + "')");
        }
        statements.add("COMMIT");
        db.exec(statements.toArray(String[]::new));
    }

    private static long pending(TestDb db) {
        return db.count("SELECT count(*) FROM __pocketsync_changes WHERE state = 'pending'");
    }

    private static List<String> changeIds(List<Push> pushes) {
        List<String> ids = new ArrayList<>();
        pushes.forEach(push -> push.changes().forEach(change -> ids.add(change.changeId())));
        return ids;
    }

    /** A client transport whose server is the test: it answers HELLO, records PUSHes and sends what the test says. */
    private static final class ManualTransport implements ClientTransport {
        private final List<Push> pushes = new CopyOnWriteArrayList<>();
        private volatile Listener listener;
        private volatile boolean connected;
        volatile boolean welcomed;
        /** PUSHes of more changes than this fail with MESSAGE_TOO_LARGE, as a transport's size limit does. */
        volatile int refuseAbove = Integer.MAX_VALUE;
        private long sequence;

        @Override
        public void start(Endpoint endpoint, Listener newListener) {
            listener = newListener;
            connected = true;
            newListener.onConnected();
        }

        @Override
        public synchronized boolean send(Message message) {
            if (!connected) {
                return false;
            }
            if (message instanceof Hello) {
                listener.onMessage(new Welcome(ProtocolVersion.CURRENT, "s", Hlc.of(System.currentTimeMillis(), 0), 0, false,
                        1000, 1 << 20));
                welcomed = true;
            }
            else if (message instanceof Push push) {
                if (push.changes().size() > refuseAbove) {
                    throw new PocketSyncException(ErrorCode.MESSAGE_TOO_LARGE, "PUSH of " + push.changes().size() + " changes");
                }
                pushes.add(push);
            }
            return true;
        }

        List<Push> pushes() {
            return pushes;
        }

        synchronized void ack(Push push) {
            List<ChangeResult> results = new ArrayList<>();
            push.changes().forEach(change -> results.add(ChangeResult.applied(change.changeId(), ++sequence)));
            listener.onMessage(new Ack(ProtocolVersion.CURRENT, push.batchId(), results, Hlc.of(System.currentTimeMillis(), 0)));
        }

        void reply(Message message) {
            listener.onMessage(message);
        }

        @Override
        public boolean isConnected() {
            return connected;
        }

        @Override
        public void reconnect() {
            listener.onDisconnected(ErrorCode.TRANSPORT_CLOSED, "test");
            listener.onConnected();
        }

        @Override
        public void close() {
            connected = false;
        }
    }
}
