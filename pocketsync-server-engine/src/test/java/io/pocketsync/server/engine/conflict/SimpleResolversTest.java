package io.pocketsync.server.engine.conflict;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimpleResolversTest {
    private final RowState storedByA = RowState.of(change("c0", "a", 50)).withSequences(1, 1);

    @Test
    void serverWinsKeepsAnotherDevicesStateEvenAgainstALaterChange() {
        ServerWinsResolver resolver = new ServerWinsResolver();
        assertThat(resolver.resolve(storedByA, change("c1", "b", 90))).isInstanceOf(Resolution.Supersede.class);
        assertThat(resolver.resolve(storedByA, change("c2", "a", 90))).isInstanceOf(Resolution.Apply.class);
        assertThat(resolver.resolve(storedByA, change("c3", "a", 10))).isInstanceOf(Resolution.Supersede.class);
        assertThat(resolver.resolve(null, change("c4", "b", 1))).isInstanceOf(Resolution.Apply.class);
    }

    @Test
    void clientWinsAppliesEvenAnOlderChange() {
        Resolution resolution = new ClientWinsResolver().resolve(storedByA, change("c1", "b", 10));
        assertThat(resolution).isInstanceOf(Resolution.Apply.class);
        assertThat(((Resolution.Apply) resolution).state().lastChangeId()).isEqualTo("c1");
    }

    @Test
    void lastWriteWinsBreaksHlcTiesByDeviceId() {
        LastWriteWinsResolver resolver = new LastWriteWinsResolver();
        assertThat(resolver.resolve(storedByA, change("c1", "b", 50))).isInstanceOf(Resolution.Apply.class);
        RowState storedByB = RowState.of(change("c1", "b", 50)).withSequences(1, 2);
        assertThat(resolver.resolve(storedByB, change("c0", "a", 50))).isInstanceOf(Resolution.Supersede.class);
    }

    private static Change change(String id, String device, long millis) {
        return new Change(id, "items", "g1", Op.UPDATE, Map.of("title", id), List.of("title"),
                Hlc.of(1_700_000_000_000L + millis, 0), device);
    }
}
