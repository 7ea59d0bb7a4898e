package io.pocketsync.server.engine.conflict;

import static io.pocketsync.server.engine.ServerHarness.configuredResolvers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.server.engine.TableResolvers;
import org.junit.jupiter.api.Test;

/** Resolvers come from configuration by provider name: {@code resolver.default} and {@code resolver.table.<table>}. */
class ConflictResolversTest {
    @Test
    void builtInsAndTheTestPluginAreSelectedByName() {
        TableResolvers resolvers = configuredResolvers("resolver.default", "field-merge", "resolver.table.a", "server-wins",
                "resolver.table.b", "client-wins", "resolver.table.c", "last-write-wins", "resolver.table.d", "test-longest-title");
        assertThat(resolvers.forTable("other")).isInstanceOf(FieldMergeResolver.class);
        assertThat(resolvers.forTable("a")).isInstanceOf(ServerWinsResolver.class);
        assertThat(resolvers.forTable("b")).isInstanceOf(ClientWinsResolver.class);
        assertThat(resolvers.forTable("c")).isInstanceOf(LastWriteWinsResolver.class);
        assertThat(resolvers.forTable("d").getClass().getName()).contains("LongestTitleResolverProvider");
    }

    @Test
    void theDefaultIsLastWriteWins() {
        assertThat(configuredResolvers().forTable("any")).isInstanceOf(LastWriteWinsResolver.class);
    }

    @Test
    void unknownNameFailsListingTheKnownNames() {
        assertThatThrownBy(() -> configuredResolvers("resolver.default", "last-writer-wins"))
                .isInstanceOf(PocketSyncException.class)
                .hasMessageContaining("last-write-wins")
                .extracting(e -> ((PocketSyncException) e).code()).isEqualTo(ErrorCode.PROVIDER_NOT_FOUND);
    }

    @Test
    void unknownConfigurationKeyFails() {
        assertThatThrownBy(() -> configuredResolvers("resolver.default", "server-wins", "resolver.server-wins.strict", "true"))
                .isInstanceOf(PocketSyncException.class)
                .hasMessageContaining("resolver.server-wins.strict")
                .extracting(e -> ((PocketSyncException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID);
    }
}
