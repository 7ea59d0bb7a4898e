package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RenamedColumnsTest {
    @Test
    void aRenameKeepsItsPlaceWhileDropsAndAddsMoveOrAppend() {
        assertThat(RenamedColumns.of(List.of("id", "tag", "done"), List.of("id", "label", "done"))).isEqualTo(Map.of("label", "tag"));
        assertThat(RenamedColumns.of(List.of("id", "tag", "done"), List.of("id", "done"))).isEmpty();
        assertThat(RenamedColumns.of(List.of("id", "tag"), List.of("id", "tag", "note"))).isEmpty();
        // a drop plus an add of the same count is no rename: the names moved
        assertThat(RenamedColumns.of(List.of("id", "tag", "done"), List.of("id", "done", "note"))).isEmpty();
        assertThat(RenamedColumns.of(null, List.of("id"))).isEmpty();
    }
}
