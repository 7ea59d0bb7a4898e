package io.pocketsync.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.capture.TableCatchUp;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import io.pocketsync.device.capture.CaptureOptions;
import io.pocketsync.device.capture.SqliteTriggerCapture;
import io.pocketsync.device.capture.TestDb;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's side of a table catch-up (docs/protocol.md 3.8): what it pulls, when, and what it does with the pages. */
class TableCatchUpReceiverTest {
    private static final List<String> NOTE = List.of("note");

    @TempDir
    Path dir;
    TestDb db;
    SqliteTriggerCapture capture;
    final List<Message> sent = new CopyOnWriteArrayList<>();
    TableCatchUpReceiver receiver;

    @BeforeEach
    void setUp() {
        db = new TestDb(dir, "device.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT)", "CREATE TABLE note (id TEXT PRIMARY KEY, body TEXT)");
        capture = open(List.of("todo"));
        capture.subscribe();
        capture.apply(List.of(), List.of(), 0, 40, ChangesMode.CATCH_UP, true);
        receiver = receiver();
    }

    private TableCatchUpReceiver receiver() {
        return new TableCatchUpReceiver(capture, new RecordingTransport(), DeviceOptions.DEFAULTS,
                new StatusBoard(Runnable::run, Clock.systemUTC(), SyncStatusListener.NONE), report -> { });
    }

    @AfterEach
    void tearDown() {
        capture.close();
    }

    private SqliteTriggerCapture open(List<String> tables) {
        SqliteTriggerCapture opened = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
        opened.install(tables);
        return opened;
    }

    /** The app tracks note from now on (a restart with one more table, and a HELLO). */
    private void trackNote() {
        capture.close();
        capture = open(List.of("todo", "note"));
        capture.subscribe();
        receiver = receiver();
    }

    private static Changes page(long from, long to, boolean more, Change... changes) {
        List<Long> sequences = java.util.stream.LongStream.rangeClosed(1, changes.length).boxed().toList();
        return new Changes(ProtocolVersion.CURRENT, ChangesMode.CATCH_UP, List.of(changes), from, to, more, 0, sequences)
                .withTables(NOTE);
    }

    private static Change note(String id) {
        return new Change("c-" + id, "note", "g" + id, Op.INSERT, Map.of("id", id, "body", "b"), List.of(),
                Hlc.of(System.currentTimeMillis() - 60_000, 0), "other-device");
    }

    private List<Pull> pulls() {
        return sent.stream().filter(Pull.class::isInstance).map(Pull.class::cast).toList();
    }

    @Test
    void nothingIsPulledWithoutATableCatchUp() {
        receiver.pullIfWanted();
        assertThat(sent).isEmpty();
    }

    @Test
    void pagesArePulledOneAheadUntilTheLastAndAppliedToTheirOwnCursor() {
        trackNote();
        receiver.pullIfWanted();
        receiver.pullIfWanted();
        assertThat(pulls()).singleElement().satisfies(pull -> {
            assertThat(pull.cursor()).isZero();
            assertThat(pull.tables()).isEqualTo(NOTE);
            assertThat(pull.self()).as("the device's own rows of the table too").isTrue();
        });

        receiver.received(page(0, 20, true, note("n1")));
        assertThat(pulls()).as("the next page asked for before this one was written").hasSize(2);
        assertThat(pulls().get(1).cursor()).isEqualTo(20);
        assertThat(capture.tableCatchUp()).isEqualTo(new TableCatchUp(NOTE, 20));
        assertThat(capture.state().cursor()).isEqualTo(40);

        receiver.received(page(20, 45, false, note("n2")));
        receiver.pullIfWanted();
        assertThat(pulls()).hasSize(2);
        assertThat(capture.tableCatchUp()).isNull();
        assertThat(db.count("SELECT count(*) FROM note")).isEqualTo(2);
    }

    @Test
    void aPageThatDoesNotFitIsIgnoredAndTheDevicePullsFromItsCursor() {
        trackNote();
        receiver.received(page(0, 20, true, note("n1")));
        sent.clear();
        // a late answer of an older PULL, from a cursor the device is not at
        receiver.received(page(5, 30, true, note("n9")));
        assertThat(db.count("SELECT count(*) FROM note WHERE id = 'n9'")).isZero();
        assertThat(pulls()).as("no PULL ahead of a page that does not fit").isEmpty();
        receiver.pullIfWanted();
        assertThat(pulls()).singleElement().satisfies(pull -> assertThat(pull.cursor()).isEqualTo(20));
    }

    @Test
    void anUnansweredPullIsGivenUpAfterThePushTimeout() {
        trackNote();
        receiver.pullIfWanted();
        assertThat(receiver.overdue(System.nanoTime() + DeviceOptions.DEFAULTS.pushTimeout().plusSeconds(1).toNanos())).isTrue();
        receiver.pullIfWanted();
        assertThat(pulls()).hasSize(2);
        receiver.sessionChanged();
        receiver.pullIfWanted();
        assertThat(pulls()).as("a new session asks again").hasSize(3);
    }

    private final class RecordingTransport implements ClientTransport {
        @Override
        public void start(Endpoint endpoint, Listener listener) {}

        @Override
        public boolean send(Message message) {
            sent.add(message);
            return true;
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public void reconnect() {}

        @Override
        public void close() {}
    }
}
