package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.core.config.ConfigKey;
import io.pocketsync.core.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerOptionsConfigTest {
    @Test
    void scopeByteBudgetDefaultsTo64MiBAndIsMapped() {
        assertThat(ServerOptionsConfig.from(Settings.empty()).maxQueuedBytesPerScope()).isEqualTo(64L * 1024 * 1024);
        assertThat(ServerOptionsConfig.from(Settings.of(Map.of("server.max-queued-bytes-per-scope", "1048576")))
                .maxQueuedBytesPerScope()).isEqualTo(1024 * 1024);
        assertThat(ServerOptionsConfig.KEYS).extracting(ConfigKey::key).contains("server.max-queued-bytes-per-scope");
    }

    @Test
    void aScopeByteBudgetThatIsNotPositiveFails() {
        assertThatThrownBy(() -> ServerOptionsConfig.from(Settings.of(Map.of("server.max-queued-bytes-per-scope", "0"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxQueuedBytesPerScope");
    }
}
