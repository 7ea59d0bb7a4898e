package io.pocketsync.it.convergence;

import static io.pocketsync.it.convergence.ConvergenceFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.testkit.server.RawClient;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device can hold a row state above its cursor not only through its own acknowledged changes but through
 * the winner of a SUPERSEDED result. Catch-up skips a tombstone born after the cursor unless it died at or
 * after the PULL's {@code own}; so {@code own} must cover winners too, or the device keeps a row the server
 * deleted. (Convergence soak: a device's insert of a row another device had just inserted lost, the winner was
 * written, a third device deleted the row, and the device's LIVE messages were late, so it pulled from before
 * the row was born.)
 */
class WinnerAboveCursorTest {
    @TempDir
    Path dir;
    ConvergenceFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new ConvergenceFixture(dir);
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void aRowHeldThroughASupersededWinnerIsDeletedByCatchUp() {
        HandDrivenDevice device = fixture.device("d");
        RawClient a = fixture.other("device-a", 60_000);
        RawClient b = fixture.other("device-b", 120_000);

        // the device inserts x; device-a inserts the same row later (by clock) and reaches the server first
        device.exec("INSERT INTO todo (id, ps_global_id, title) VALUES ('x', 'gx', 'mine')");
        assertThat(write(a, Op.INSERT, "gx", 0, "x", "theirs").results().get(0).sequence()).isEqualTo(1);
        Ack ack = device.pushPending();
        assertThat(ack.results().get(0).status()).isEqualTo(ChangeStatus.SUPERSEDED);
        assertThat(ack.results().get(0).sequence()).isEqualTo(1);
        assertThat(device.rows()).containsEntry("gx", Map.of("id", "x", "title", "theirs"));

        // device-b deletes the row while the device's cursor is still before the row's creation
        write(b, Op.DELETE, "gx", 0, null, null);
        assertThat(fixture.serverRow("gx").deleted()).isTrue();
        assertThat(device.capture.state().cursor()).isZero();

        device.pullOnce();

        assertThat(device.rows()).isEqualTo(fixture.serverRows()).isEmpty();
    }
}
