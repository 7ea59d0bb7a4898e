package io.pocketsync.device.capture;

import static io.pocketsync.device.capture.PageAcceptance.Admission.APPLY;
import static io.pocketsync.device.capture.PageAcceptance.Admission.END_RESYNC_BY_CATCH_UP;
import static io.pocketsync.device.capture.PageAcceptance.Admission.REFUSED;
import static io.pocketsync.device.capture.PageAcceptance.Admission.START_RESYNC;
import static io.pocketsync.device.capture.PageAcceptance.Verdict.DEFER;
import static io.pocketsync.device.capture.PageAcceptance.Verdict.HELD;
import static io.pocketsync.device.capture.PageAcceptance.Verdict.WRITE;
import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.protocol.ChangesMode;
import org.junit.jupiter.api.Test;

/** The page and winner rules alone; {@link RemoteApplyTest} and {@link RowSequenceOrderTest} run them against SQLite. */
class PageAcceptanceTest {
    @Test
    void aPageIsAdmittedOnlyAtTheStoredCursor() {
        assertThat(PageAcceptance.admit(5, false, ChangesMode.LIVE, 5)).isEqualTo(APPLY);
        assertThat(PageAcceptance.admit(5, false, ChangesMode.CATCH_UP, 5)).isEqualTo(APPLY);
        assertThat(PageAcceptance.admit(5, false, ChangesMode.LIVE, 4)).as("a duplicate").isEqualTo(REFUSED);
        assertThat(PageAcceptance.admit(5, false, ChangesMode.CATCH_UP, 7)).as("a gap").isEqualTo(REFUSED);
    }

    @Test
    void aResyncStartsWithAnySnapshotFromZeroAndEndsOnlyWithItsOwnPages() {
        assertThat(PageAcceptance.admit(40, false, ChangesMode.SNAPSHOT, 0)).isEqualTo(START_RESYNC);
        assertThat(PageAcceptance.admit(40, true, ChangesMode.SNAPSHOT, 0)).as("restarted").isEqualTo(START_RESYNC);
        assertThat(PageAcceptance.admit(40, false, ChangesMode.SNAPSHOT, 40)).as("no resync running").isEqualTo(REFUSED);
        assertThat(PageAcceptance.admit(40, true, ChangesMode.SNAPSHOT, 40)).isEqualTo(APPLY);
        assertThat(PageAcceptance.admit(40, true, ChangesMode.SNAPSHOT, 30)).isEqualTo(REFUSED);
        assertThat(PageAcceptance.admit(40, true, ChangesMode.LIVE, 40)).isEqualTo(REFUSED);
        assertThat(PageAcceptance.admit(40, true, ChangesMode.CATCH_UP, 40)).isEqualTo(REFUSED);
        assertThat(PageAcceptance.admit(40, true, ChangesMode.CATCH_UP, 0)).isEqualTo(END_RESYNC_BY_CATCH_UP);
    }

    @Test
    void aWinnerWaitsForALaterPendingEditAndIsNeverWrittenOverALaterState() {
        assertThat(PageAcceptance.judgeWinner(true, 9, 5)).isEqualTo(DEFER);
        assertThat(PageAcceptance.judgeWinner(true, 5, 5)).isEqualTo(HELD);
        assertThat(PageAcceptance.judgeWinner(false, 4, 5)).isEqualTo(HELD);
        assertThat(PageAcceptance.judgeWinner(false, 5, 5)).as("the own losing change overwrote it locally").isEqualTo(WRITE);
        assertThat(PageAcceptance.judgeWinner(false, 9, 5)).isEqualTo(WRITE);
        assertThat(PageAcceptance.judgeWinner(false, 0, 5)).as("sequence unknown").isEqualTo(WRITE);
    }
}
