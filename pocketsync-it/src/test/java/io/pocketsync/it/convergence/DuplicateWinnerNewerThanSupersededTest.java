package io.pocketsync.it.convergence;

import static io.pocketsync.it.convergence.ConvergenceFixture.change;
import static io.pocketsync.it.convergence.ConvergenceFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.testkit.server.RawClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The results of one ACK may carry winners of different ages: a DUPLICATE's is the row as stored when the answer
 * is built (after the batch, and after whatever another node or session committed meanwhile), a SUPERSEDED's is
 * the state the change was resolved against. The convergence soak caught a device that took the newer winner,
 * skipped for its later pending edit, as held: it then skipped the older winner of that edit and the newer state
 * when catch-up sent it, and kept its own losing edit (WS_REDIS_TWO_NODES seed 57). The same, step by step,
 * against the real server.
 */
class DuplicateWinnerNewerThanSupersededTest {
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
    void aDeviceKeepsNoLosingEditWhenItsAckCarriesANewerDuplicateWinnerThanTheSupersededOne() {
        HandDrivenDevice device = fixture.device("d");
        RawClient a = fixture.other("device-a", 60_000);
        RawClient b = fixture.other("device-b", 120_000);
        device.exec("INSERT INTO todo (id, ps_global_id, title) VALUES ('x', 'gx', 'created')");
        device.pushPending();

        // edit A is stored but its ACK is lost; edit B follows; device-a then writes the row (W1, later clock)
        device.exec("UPDATE todo SET title = 'A' WHERE id = 'x'");
        device.pushPendingLosingTheAck();
        device.exec("UPDATE todo SET title = 'B' WHERE id = 'x'");
        write(a, Op.UPDATE, "gx", 0, "x", "W1");
        // A and B are sent again; right after that batch is stored, device-b writes the row (W2)
        fixture.serverStore.afterNextBatchOf(device.deviceId(), List.of(change(b, Op.UPDATE, "gx", 0, "x", "W2")));
        Ack ack = device.pushPending();

        assertThat(ack.results()).extracting(r -> r.status()).containsExactly(ChangeStatus.DUPLICATE, ChangeStatus.SUPERSEDED);
        assertThat(ack.results().get(0).winner().row()).containsEntry("title", "W2");
        assertThat(ack.results().get(1).winner().row()).containsEntry("title", "W1");
        device.pullOnce();

        assertThat(device.rows()).isEqualTo(fixture.serverRows());
        assertThat(device.rows().get("gx")).containsEntry("title", "W2");
    }
}
