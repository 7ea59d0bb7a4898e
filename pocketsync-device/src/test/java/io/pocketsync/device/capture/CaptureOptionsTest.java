package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CaptureOptionsTest {
    @Test
    void defaults() {
        assertThat(CaptureOptions.from(PluginConfig.empty("capture.sqlite-triggers"))).isEqualTo(CaptureOptions.DEFAULTS)
                .isEqualTo(new CaptureOptions(Duration.ofSeconds(10), 10_000, 100_000, JournalMode.WAL));
    }

    @Test
    void everyKey() {
        CaptureOptions options = CaptureOptions.from(PluginConfig.of("capture.sqlite-triggers", Map.of("busy-timeout", "750ms",
                "acked-keep-rows", "5", "row-sequences-behind", "7", "journal-mode", "KEEP")));

        assertThat(options).isEqualTo(new CaptureOptions(Duration.ofMillis(750), 5, 7, JournalMode.KEEP));
    }

    @Test
    void aJournalModeOtherThanWalOrKeepIsRefusedSayingWhatItTakes() {
        assertThatThrownBy(() -> CaptureOptions.from(PluginConfig.of("capture.sqlite-triggers", Map.of("journal-mode", "delete"))))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("'delete'").hasMessageContaining("'wal'").hasMessageContaining("'keep'");
    }
}
