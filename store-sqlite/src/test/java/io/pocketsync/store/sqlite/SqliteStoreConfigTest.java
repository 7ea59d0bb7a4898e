package io.pocketsync.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqliteStoreConfigTest {
    @Test
    void defaults() {
        SqliteStoreConfig config = SqliteStoreConfig.from(PluginConfig.empty(SqliteStoreConfig.NAMESPACE));

        assertThat(config).isEqualTo(new SqliteStoreConfig(Path.of("./pocketsync-server.db"), Duration.ofSeconds(5), 4, "FULL"));
    }

    @Test
    void everyKeyIsMapped() {
        SqliteStoreConfig config = SqliteStoreConfig.from(PluginConfig.of(SqliteStoreConfig.NAMESPACE, Map.of(
                "path", "/var/lib/ps/server.db", "busy-timeout", "250ms", "read-connections", "8", "synchronous", "extra")));

        assertThat(config).isEqualTo(new SqliteStoreConfig(Path.of("/var/lib/ps/server.db"), Duration.ofMillis(250), 8, "EXTRA"));
    }

    @Test
    void unknownKeyIsRejectedWithTheNearestKey() {
        assertThatThrownBy(() -> SqliteStoreConfig.from(PluginConfig.of(SqliteStoreConfig.NAMESPACE, Map.of("pth", "x"))))
                .isInstanceOfSatisfying(PocketSyncException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("store.sqlite.pth").hasMessageContaining("store.sqlite.path");
    }

    @Test
    void badValuesAreRejected() {
        for (Map<String, String> values : java.util.List.of(Map.of("synchronous", "OFF"), Map.of("read-connections", "0"),
                Map.of("busy-timeout", "soon"))) {
            assertThatThrownBy(() -> SqliteStoreConfig.from(PluginConfig.of(SqliteStoreConfig.NAMESPACE, values)))
                    .isInstanceOfSatisfying(PocketSyncException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID));
        }
    }
}
