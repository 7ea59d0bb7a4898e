package io.pocketsync.core.conflict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.core.server.TestingPluginContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConflictResolversTest {
    @Test
    void builtInsAndTheTestPluginAreFoundByName() {
        assertThat(ConflictResolvers.names())
                .contains("last-write-wins", "field-merge", "server-wins", "client-wins", "test-longest-title");
        assertThat(ConflictResolvers.create("field-merge", PluginConfig.empty("resolver.field-merge"),
                new TestingPluginContext())).isInstanceOf(FieldMergeResolver.class);
    }

    @Test
    void unknownNameFailsListingTheKnownNames() {
        assertThatThrownBy(() -> ConflictResolvers.create("last-writer-wins", PluginConfig.empty("resolver.x"),
                new TestingPluginContext()))
                .isInstanceOf(PocketSyncException.class)
                .hasMessageContaining("last-write-wins")
                .extracting(e -> ((PocketSyncException) e).code()).isEqualTo(ErrorCode.PROVIDER_NOT_FOUND);
    }

    @Test
    void unknownConfigurationKeyFails() {
        assertThatThrownBy(() -> ConflictResolvers.create("server-wins",
                PluginConfig.of("resolver.server-wins", Map.of("strict", "true")), new TestingPluginContext()))
                .isInstanceOf(PocketSyncException.class)
                .extracting(e -> ((PocketSyncException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID);
    }
}
