package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SidecarTablesTest {
    @Test
    void plainNamesSyncInTheScopeAndNameAtScopeInItsOwn() {
        SidecarTables tables = SidecarTables.parse(List.of("todos@team-42", "notes", "tags@fleet", "notes"), "alice");

        assertThat(tables.names()).containsExactly("todos", "notes", "tags");
        assertThat(tables.scopeOf("todos")).isEqualTo("team-42");
        assertThat(tables.scopeOf("notes")).isEqualTo("alice");
        assertThat(tables.scopeOf("tags")).isEqualTo("fleet");
        // --scope's session is the first when a table syncs in it
        assertThat(tables.scopes()).containsExactly("alice", "team-42", "fleet");
        assertThat(tables).hasToString("[todos@team-42, notes@alice, tags@fleet]");
    }

    @Test
    void everyTableNamingItsScopeNeedsNoScopeOption() {
        SidecarTables tables = SidecarTables.parse(List.of("todos@team", "notes@alice"), null);

        assertThat(tables.scopes()).containsExactly("team", "alice");
        // --scope naming no table's scope is not a session
        assertThat(SidecarTables.parse(List.of("todos@team"), "alice").scopes()).containsExactly("team");
    }

    @Test
    void theTableNameEndsAtTheFirstAtSign() {
        SidecarTables tables = SidecarTables.parse(List.of("todos@alice@example.com"), null);

        assertThat(tables.names()).containsExactly("todos");
        assertThat(tables.scopeOf("todos")).isEqualTo("alice@example.com");
    }

    @Test
    void oneTableInTwoScopesIsRefused() {
        assertThatThrownBy(() -> SidecarTables.parse(List.of("todos@team", "todos@alice"), null))
                .isInstanceOf(PocketSyncException.class)
                .satisfies(e -> assertThat(((PocketSyncException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("--table todos is given in scope team and in scope alice");
        assertThatThrownBy(() -> SidecarTables.parse(List.of("todos", "todos@team"), "alice"))
                .isInstanceOf(PocketSyncException.class).hasMessageContaining("in scope alice and in scope team");
    }

    @Test
    void malformedValuesAndAPlainNameWithoutScopeAreConfigErrors() {
        assertThatThrownBy(() -> SidecarTables.parse(List.of("@team"), null))
                .isInstanceOf(PocketSyncException.class).hasMessageContaining("expected NAME or NAME@SCOPE");
        assertThatThrownBy(() -> SidecarTables.parse(List.of("todos@"), "alice"))
                .isInstanceOf(PocketSyncException.class).hasMessageContaining("expected NAME or NAME@SCOPE");
        assertThatThrownBy(() -> SidecarTables.parse(List.of("todos@team", "notes"), null))
                .isInstanceOf(PocketSyncException.class)
                .satisfies(e -> assertThat(((PocketSyncException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("--table notes names no scope");
    }
}
