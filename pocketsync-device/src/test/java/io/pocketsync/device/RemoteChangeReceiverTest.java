package io.pocketsync.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
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

class RemoteChangeReceiverTest {
    @TempDir
    Path dir;
    TestDb db;
    SqliteTriggerCapture capture;
    final List<Message> sent = new CopyOnWriteArrayList<>();
    final List<ErrorCode> errors = new CopyOnWriteArrayList<>();
    final List<Long> caughtUp = new CopyOnWriteArrayList<>();
    RemoteChangeReceiver receiver;

    @BeforeEach
    void setUp() {
        db = new TestDb(dir, "device.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT)");
        capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
        capture.install(List.of("todo"));
        StatusBoard status = new StatusBoard(Runnable::run, Clock.systemUTC(), new SyncStatusListener() {
            @Override
            public void error(ErrorCode code, String message) {
                errors.add(code);
            }

            @Override
            public void caughtUp(long cursor) {
                caughtUp.add(cursor);
            }
        });
        receiver = new RemoteChangeReceiver(capture, new RecordingTransport(), DeviceOptions.DEFAULTS, status, report -> { },
                () -> false);
    }

    @AfterEach
    void tearDown() {
        capture.close();
    }

    @Test
    void aLiveWithoutSequencesIsIgnoredReportedAndHealedByAPull() {
        Change change = new Change("remote-1", "todo", "g1", Op.INSERT, Map.of("id", "1", "title", "x"), List.of(),
                Hlc.of(System.currentTimeMillis(), 0), "other-device");

        assertThat(receiver.received(new Changes(ProtocolVersion.CURRENT, ChangesMode.LIVE, List.of(change), 0, 1, false, 0)))
                .isTrue();
        receiver.pullIfWanted();

        assertThat(db.count("SELECT count(*) FROM todo")).isZero();
        assertThat(capture.state().cursor()).isZero();
        assertThat(errors).containsExactly(ErrorCode.INVALID_FIELD);
        assertThat(sent).singleElement().isInstanceOfSatisfying(Pull.class, pull -> assertThat(pull.cursor()).isZero());
    }

    @Test
    void aLiveTheDeviceHasIsIgnoredQuietly() {
        capture.apply(List.of(), List.of(), 0, 3, ChangesMode.LIVE, true);

        assertThat(receiver.received(new Changes(ProtocolVersion.CURRENT, ChangesMode.LIVE, List.of(), 1, 3, false, 0))).isFalse();
        receiver.pullIfWanted();

        assertThat(sent).isEmpty();
        assertThat(errors).isEmpty();
    }

    @Test
    void thePageAfterAFittingPageIsAskedForOnceBeforeItIsApplied() {
        receiver.welcomed();
        receiver.pullIfWanted();
        sent.clear();

        assertThat(receiver.received(page(0, 5, true, "g1"))).isTrue();
        receiver.pullIfWanted(); // what the engine does after every message: nothing more while the next page is asked for

        assertThat(sent).singleElement().isInstanceOfSatisfying(Pull.class, pull -> assertThat(pull.cursor()).isEqualTo(5));
        assertThat(capture.state().cursor()).isEqualTo(5);
        sent.clear();

        assertThat(receiver.received(page(5, 9, false, "g2"))).isTrue();
        receiver.pullIfWanted();

        assertThat(sent).isEmpty();
        assertThat(capture.state().cursor()).isEqualTo(9);
        assertThat(db.count("SELECT count(*) FROM todo")).isEqualTo(2);
    }

    @Test
    void aPageThatDoesNotFitAsksForNoNextPageButForTheCursor() {
        receiver.welcomed();
        receiver.pullIfWanted();
        sent.clear();

        assertThat(receiver.received(page(7, 12, true, "g1"))).isTrue();
        receiver.pullIfWanted();

        assertThat(capture.state().cursor()).isZero();
        assertThat(sent).singleElement().isInstanceOfSatisfying(Pull.class, pull -> assertThat(pull.cursor()).isZero());
    }

    @Test
    void aPageThatLiveBroadcastsOvertookIsNotPulledAgainWhenTheyReachItsEnd() {
        receiver.welcomed();
        receiver.pullIfWanted();
        sent.clear();
        receiver.received(live(0, 3));

        // the page (0, 5] was read when the head was 5; LIVE (0, 3] arrived first, LIVE (3, 5] follows it
        assertThat(receiver.received(page(0, 5, false, "g1"))).isTrue();
        receiver.pullIfWanted();
        assertThat(sent).as("no PULL while the broadcasts of the page's range are on their way").isEmpty();
        assertThat(capture.state().cursor()).isEqualTo(3);
        assertThat(caughtUp).isEmpty();

        receiver.received(live(3, 5));
        receiver.pullIfWanted();

        assertThat(capture.state().cursor()).isEqualTo(5);
        assertThat(caughtUp).as("the catch-up ended with the LIVEs").containsExactly(5L);
        assertThat(receiver.overtakenOverdue(System.nanoTime() + 10 * OvertakenPage.QUIET_NANOS)).isFalse();
        receiver.pullIfWanted();
        assertThat(sent).isEmpty();
    }

    @Test
    void anOvertakenPageIsPulledFromTheCursorWhenTheBroadcastsStopShortOfItsEnd() {
        receiver.welcomed();
        receiver.pullIfWanted();
        sent.clear();
        receiver.received(live(0, 3));
        receiver.received(page(0, 5, false, "g1"));
        receiver.pullIfWanted();
        assertThat(sent).isEmpty();

        // LIVE (3, 5] was lost (a broker's full queue) and no later one shows the gap
        assertThat(receiver.overtakenOverdue(System.nanoTime())).as("still within the quiet time").isFalse();
        assertThat(receiver.overtakenOverdue(System.nanoTime() + 2 * OvertakenPage.QUIET_NANOS)).isTrue();
        receiver.pullIfWanted();

        assertThat(sent).singleElement().isInstanceOfSatisfying(Pull.class, pull -> assertThat(pull.cursor()).isEqualTo(3));
        assertThat(receiver.overtakenOverdue(System.nanoTime() + 4 * OvertakenPage.QUIET_NANOS)).as("once").isFalse();
    }

    @Test
    void aPageWhoseEndTheBroadcastsPassedAlreadyIsADuplicate() {
        receiver.welcomed();
        receiver.pullIfWanted();
        sent.clear();
        receiver.received(live(0, 3));
        receiver.received(live(3, 6));

        assertThat(receiver.received(page(0, 5, false, "g1"))).isTrue();
        receiver.pullIfWanted();

        assertThat(sent).isEmpty();
        assertThat(receiver.overtakenOverdue(System.nanoTime() + 10 * OvertakenPage.QUIET_NANOS)).isFalse();
        assertThat(capture.state().cursor()).isEqualTo(6);
        assertThat(caughtUp).containsExactly(6L);
    }

    @Test
    void aGapSeenWhileThePullWasOutstandingIsPulledEvenIfItsPageWasOvertaken() {
        receiver.welcomed();
        receiver.pullIfWanted();
        sent.clear();
        receiver.received(live(0, 3));
        receiver.received(live(4, 6)); // a gap: (3, 4] is missing; the PULL is outstanding, so none goes out yet
        receiver.pullIfWanted();
        assertThat(sent).isEmpty();

        receiver.received(page(0, 5, false, "g1"));
        receiver.pullIfWanted();

        assertThat(sent).singleElement().isInstanceOfSatisfying(Pull.class, pull -> assertThat(pull.cursor()).isEqualTo(3));
    }

    @Test
    void anOvertakenPageWithMoreWaitsForTheHeadItWasReadAt() {
        receiver.welcomed();
        receiver.pullIfWanted();
        sent.clear();
        receiver.received(live(0, 3));

        // read at head 15: 5 rows in this page, an upper bound of 10 changes after it
        receiver.received(page(0, 5, true, "g1"));
        receiver.pullIfWanted();
        assertThat(sent).isEmpty();
        receiver.received(live(3, 9));
        assertThat(receiver.overtakenOverdue(System.nanoTime() + 2 * OvertakenPage.QUIET_NANOS))
                .as("the cursor stood still short of 15").isTrue();
        receiver.pullIfWanted();

        assertThat(sent).singleElement().isInstanceOfSatisfying(Pull.class, pull -> assertThat(pull.cursor()).isEqualTo(9));
    }

    @Test
    void aGapInTheBroadcastsIsPulledAtOnceWhileAnOvertakenPageIsAwaited() {
        receiver.welcomed();
        receiver.pullIfWanted();
        sent.clear();
        receiver.received(live(0, 3));
        receiver.received(page(0, 5, false, "g1"));

        receiver.received(live(4, 5));
        receiver.pullIfWanted();

        assertThat(sent).singleElement().isInstanceOfSatisfying(Pull.class, pull -> assertThat(pull.cursor()).isEqualTo(3));
    }

    @Test
    void aPageThatStartsAboveTheCursorIsPulledAgainAtOnce() {
        receiver.welcomed();
        receiver.pullIfWanted();
        sent.clear();
        receiver.received(live(0, 3));

        receiver.received(page(4, 6, false, "g1"));
        receiver.pullIfWanted();

        assertThat(sent).singleElement().isInstanceOfSatisfying(Pull.class, pull -> assertThat(pull.cursor()).isEqualTo(3));
    }

    /** A LIVE of another device's batch that left this device nothing (its own changes, or another table's). */
    private static Changes live(long from, long to) {
        return new Changes(ProtocolVersion.CURRENT, ChangesMode.LIVE, List.of(), from, to, false, 0, List.of());
    }

    private static Changes page(long from, long to, boolean more, String gid) {
        Change change = new Change("remote-" + gid, "todo", gid, Op.INSERT, Map.of("id", gid, "title", "x"), List.of(),
                Hlc.of(System.currentTimeMillis(), 0), "other-device");
        return new Changes(ProtocolVersion.CURRENT, ChangesMode.CATCH_UP, List.of(change), from, to, more, more ? 10 : 0,
                List.of(to));
    }

    /** Records what the receiver sends. */
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
