package io.pocketsync.server.engine.conflict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.server.engine.TableResolvers;
import io.pocketsync.server.engine.TestingPluginContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConflictResolversTest {
    @Test
    void builtInsAndTheTestPluginAreSelectedByName() {
        TableResolvers resolvers = TableResolvers.byName("field-merge",
                Map.of("a", "server-wins", "b", "client-wins", "c", "last-write-wins", "d", "test-longest-title"),
                name -> PluginConfig.empty("resolver." + name), new TestingPluginContext());
        assertThat(resolvers.forTable("other")).isInstanceOf(FieldMergeResolver.class);
        assertThat(resolvers.forTable("a")).isInstanceOf(ServerWinsResolver.class);
        assertThat(resolvers.forTable("b")).isInstanceOf(ClientWinsResolver.class);
        assertThat(resolvers.forTable("c")).isInstanceOf(LastWriteWinsResolver.class);
        assertThat(resolvers.forTable("d").getClass().getName()).contains("LongestTitleResolverProvider");
    }

    @Test
    void unknownNameFailsListingTheKnownNames() {
        assertThatThrownBy(() -> TableResolvers.byName("last-writer-wins", Map.of(),
                name -> PluginConfig.empty("resolver." + name), new TestingPluginContext()))
                .isInstanceOf(PocketSyncException.class)
                .hasMessageContaining("last-write-wins")
                .extracting(e -> ((PocketSyncException) e).code()).isEqualTo(ErrorCode.PROVIDER_NOT_FOUND);
    }

    @Test
    void unknownConfigurationKeyFails() {
        assertThatThrownBy(() -> TableResolvers.byName("server-wins", Map.of(),
                name -> PluginConfig.of("resolver." + name, Map.of("strict", "true")), new TestingPluginContext()))
                .isInstanceOf(PocketSyncException.class)
                .extracting(e -> ((PocketSyncException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID);
    }
}
