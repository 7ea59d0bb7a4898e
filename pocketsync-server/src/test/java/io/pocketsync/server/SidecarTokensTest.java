package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SidecarTokensTest {
    private static final List<String> SCOPES = List.of("alice", "team-42", "fleet");

    @Test
    void aScopesOwnTokenWinsAndTheOthersTakeTheTokenForEveryScope() {
        SidecarTokens tokens = SidecarTokens.select(() -> "jwt", Map.of("team-42", () -> "team-token"), SCOPES);

        assertThat(tokens.tokenOf("alice")).isEqualTo("jwt");
        assertThat(tokens.tokenOf("team-42")).isEqualTo("team-token");
        assertThat(tokens.tokenOf("fleet")).isEqualTo("jwt");
    }

    @Test
    void everyScopeWithItsOwnTokenNeedsNoTokenForEveryScope() {
        Map<String, Supplier<String>> own = Map.of("alice", () -> "a", "team-42", () -> "t", "fleet", () -> "f");
        SidecarTokens tokens = SidecarTokens.select(null, own, SCOPES);

        assertThat(SCOPES.stream().map(tokens::tokenOf)).containsExactly("a", "t", "f");
    }

    @Test
    void noTokenAtAllIsAnAnonymousDevice() {
        assertThat(SidecarTokens.select(null, Map.of(), SCOPES).tokenOf("team-42")).isEmpty();
    }

    @Test
    void aScopeWithoutTokenBesideScopesWithTheirOwnIsRefused() {
        assertThatThrownBy(() -> SidecarTokens.select(null, Map.of("alice", () -> "a"), SCOPES))
                .isInstanceOf(PocketSyncException.class)
                .satisfies(e -> assertThat(((PocketSyncException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("scope team-42 has no token: give --token team-42=TOKEN");
    }

    @Test
    void aTokenForAScopeNoTableSyncsInIsRefused() {
        assertThatThrownBy(() -> SidecarTokens.select(() -> "jwt", Map.of("bob", () -> "b"), SCOPES))
                .isInstanceOf(PocketSyncException.class)
                .satisfies(e -> assertThat(((PocketSyncException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("a token for scope bob, but no --table syncs in it");
    }

    @Test
    void aValueIsScopedWhenWhatPrecedesItsFirstEqualsSignIsAScopeName() {
        assertThat(SidecarTokens.split("team-42=s3cret")).isEqualTo(Map.entry("team-42", "s3cret"));
        assertThat(SidecarTokens.split("alice@example.com=a=b")).isEqualTo(Map.entry("alice@example.com", "a=b"));
        assertThat(SidecarTokens.split("eyJhbGciOiJIUzI1NiJ9.e30.sig").getKey()).isNull();
        // base64 padding and values whose prefix is no scope name are tokens for every scope
        assertThat(SidecarTokens.split("dG9rZW4=").getKey()).isNull();
        assertThat(SidecarTokens.split("a b=c").getKey()).isNull();
        assertThat(SidecarTokens.split("/etc/pocketsync/token").getValue()).isEqualTo("/etc/pocketsync/token");
    }
}
