package io.pocketsync.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.device.capture.SqliteTriggerCapture;
import io.pocketsync.device.capture.TestDb;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChangeCapturesTest {
    @TempDir
    Path dir;

    @Test
    void theCaptureIsTheProviderOfTheGivenNameWithItsNamespacedConfig() {
        TestDb db = new TestDb(dir, "device.db");
        try (ChangeCapture capture = ChangeCaptures.create("sqlite-triggers",
                PluginConfig.of("", Map.of("busy-timeout", "3s")), db.dataSource, Clock.systemUTC())) {
            assertThat(capture).isInstanceOf(SqliteTriggerCapture.class);
        }
        assertThatThrownBy(() -> ChangeCaptures.create("sqlite-triggers", PluginConfig.of("", Map.of("busy-timout", "3s")),
                db.dataSource, Clock.systemUTC()))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("capture.sqlite-triggers.busy-timeout");
    }

    @Test
    void anUnknownNameFailsTheBuildListingTheNamesAvailable() {
        TestDb db = new TestDb(dir, "device.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY)");
        PocketSyncDeviceBuilder builder = PocketSyncDevice.builder().dataSource(db.dataSource).tables(List.of("todo"))
                .scope("scope").server(URI.create("mem://server")).transport("no-such-transport").capture("session-extension");

        assertThatThrownBy(builder::build)
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_NOT_FOUND))
                .hasMessageContaining("session-extension").hasMessageContaining("sqlite-triggers");
    }
}
