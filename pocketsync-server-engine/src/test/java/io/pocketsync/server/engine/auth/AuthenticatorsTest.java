package io.pocketsync.server.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.auth.Credentials;
import io.pocketsync.api.auth.Principal;
import io.pocketsync.core.discovery.Providers;
import io.pocketsync.server.engine.TestingPluginContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticatorsTest {
    private static final byte[] SECRET = "0123456789abcdef-server-secret".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void staticTokensGrantTheirScopeOnly() {
        StaticTokenAuthenticator auth = StaticTokenAuthenticator.parse("alice:tok-a, alice:tok-a2 ,team:shared:tok-t");
        assertThat(auth.authenticate(new Credentials("alice", "d1", "tok-a"))).isEqualTo(new Principal(io.pocketsync.api.model.Scope.of("alice"), "d1"));
        assertThat(auth.authenticate(new Credentials("alice", "d1", "tok-a2")).scope().name()).isEqualTo("alice");
        assertThat(auth.authenticate(new Credentials("team:shared", "d1", "tok-t")).scope().name()).isEqualTo("team:shared");
        expectCode(() -> auth.authenticate(new Credentials("alice", "d1", "tok-t")), ErrorCode.SCOPE_FORBIDDEN);
        expectCode(() -> auth.authenticate(new Credentials("alice", "d1", "wrong")), ErrorCode.AUTH_FAILED);
        expectCode(() -> auth.authenticate(new Credentials("alice", "d1", "")), ErrorCode.AUTH_FAILED);
        expectCode(() -> auth.authenticate(new Credentials("nobody", "d1", "tok-a")), ErrorCode.SCOPE_FORBIDDEN);
    }

    @Test
    void staticReadOnlyTokensGrantReadOnly() {
        Authenticator auth = Providers.authenticators().get("static-token").create(PluginConfig.of("auth.static-token",
                Map.of("tokens", "alice:tok-w", "read-only-tokens", "alice:tok-r,team:shared:tok-t")), new TestingPluginContext());
        assertThat(auth.authenticate(new Credentials("alice", "d1", "tok-w")).grant()).isEqualTo(io.pocketsync.api.auth.Grant.READ_WRITE);
        assertThat(auth.authenticate(new Credentials("alice", "d1", "tok-r")).grant()).isEqualTo(io.pocketsync.api.auth.Grant.READ_ONLY);
        assertThat(auth.authenticate(new Credentials("team:shared", "d1", "tok-t")).readOnly()).isTrue();
        expectCode(() -> auth.authenticate(new Credentials("team:shared", "d1", "tok-r")), ErrorCode.SCOPE_FORBIDDEN);
        Authenticator readOnlyOnly = Providers.authenticators().get("static-token").create(PluginConfig.of("auth.static-token",
                Map.of("read-only-tokens", "fleet:tok-f")), new TestingPluginContext());
        assertThat(readOnlyOnly.authenticate(new Credentials("fleet", "d1", "tok-f")).readOnly()).isTrue();
    }

    @Test
    void staticTokenErrorsAndToStringNeverShowTokens() {
        StaticTokenAuthenticator auth = StaticTokenAuthenticator.parse("alice:very-secret-token");
        assertThat(auth.toString()).doesNotContain("very-secret-token");
        assertThatThrownBy(() -> auth.authenticate(new Credentials("alice", "d1", "very-secret-tokeX")))
                .hasMessageNotContaining("very-secret-tokeX");
        assertThatThrownBy(() -> StaticTokenAuthenticator.parse("no-colon-secret"))
                .hasMessageNotContaining("no-colon-secret")
                .extracting(e -> ((PocketSyncException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID);
    }

    @Test
    void signedTokensAreCheckedForSignatureExpiryScopeAndDevice() {
        HmacTokenAuthenticator auth = new HmacTokenAuthenticator(SECRET, CLOCK);
        String anyDevice = HmacTokens.issue(SECRET, "alice", "*", NOW.plusSeconds(60));
        String oneDevice = HmacTokens.issue(SECRET, "alice", "phone", NOW.plusSeconds(60));
        assertThat(auth.authenticate(new Credentials("alice", "laptop", anyDevice)).deviceId()).isEqualTo("laptop");
        assertThat(auth.authenticate(new Credentials("alice", "phone", oneDevice)).scope().name()).isEqualTo("alice");
        assertThat(auth.authenticate(new Credentials("alice", "phone", oneDevice)).expiresAt())
                .as("the session ends with the token").isEqualTo(NOW.plusSeconds(60));
        assertThat(StaticTokenAuthenticator.parse("alice:t").authenticate(new Credentials("alice", "d", "t")).expiresAt())
                .as("a static token does not end").isNull();
        expectCode(() -> auth.authenticate(new Credentials("alice", "laptop", oneDevice)), ErrorCode.AUTH_FAILED);
        expectCode(() -> auth.authenticate(new Credentials("bob", "phone", oneDevice)), ErrorCode.SCOPE_FORBIDDEN);

        String expired = HmacTokens.issue(SECRET, "alice", "*", NOW.minusSeconds(1));
        expectCode(() -> auth.authenticate(new Credentials("alice", "phone", expired)), ErrorCode.TOKEN_EXPIRED);

        String otherSecret = HmacTokens.issue("another-secret-of-16+bytes".getBytes(StandardCharsets.UTF_8), "alice", "*",
                NOW.plusSeconds(60));
        expectCode(() -> auth.authenticate(new Credentials("alice", "phone", otherSecret)), ErrorCode.AUTH_FAILED);
    }

    @Test
    void tamperedOrMalformedSignedTokensFail() {
        HmacTokenAuthenticator auth = new HmacTokenAuthenticator(SECRET, CLOCK);
        String token = HmacTokens.issue(SECRET, "alice", "*", NOW.plusSeconds(60));
        String forgedPayload = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("v1|bob|*|" + NOW.plusSeconds(60).getEpochSecond()).getBytes(StandardCharsets.UTF_8));
        String forged = forgedPayload + token.substring(token.indexOf('.'));
        for (String bad : List.of(forged, "", ".", "abc", "a.b.c", "!!!.???", token + "x", token.replace('.', ','))) {
            expectCode(() -> auth.authenticate(new Credentials("bob", "phone", bad)), ErrorCode.AUTH_FAILED);
        }
        assertThatThrownBy(() -> new HmacTokenAuthenticator("short".getBytes(StandardCharsets.UTF_8), CLOCK))
                .extracting(e -> ((PocketSyncException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID);
    }

    @Test
    void anonymousGrantsOnlyItsConfiguredScopes() {
        AnonymousAuthenticator open = new AnonymousAuthenticator(Set.of());
        assertThat(open.authenticate(new Credentials("any", "d", "")).scope().name()).isEqualTo("any");
        AnonymousAuthenticator some = new AnonymousAuthenticator(Set.of("public"));
        assertThat(some.authenticate(new Credentials("public", "d", "")).deviceId()).isEqualTo("d");
        expectCode(() -> some.authenticate(new Credentials("private", "d", "")), ErrorCode.SCOPE_FORBIDDEN);
    }

    @Test
    void compositeReportsTheMostSpecificRefusal() {
        String expired = HmacTokens.issue(SECRET, "alice", "*", NOW.minusSeconds(1));
        Authenticator composite = new CompositeAuthenticator(List.of(
                StaticTokenAuthenticator.parse("ops:ops-token"), new HmacTokenAuthenticator(SECRET, CLOCK)));
        assertThat(composite.authenticate(new Credentials("ops", "tool", "ops-token")).scope().name()).isEqualTo("ops");
        expectCode(() -> composite.authenticate(new Credentials("alice", "d", expired)), ErrorCode.TOKEN_EXPIRED);
        expectCode(() -> composite.authenticate(new Credentials("alice", "d", "nope")), ErrorCode.AUTH_FAILED);
    }

    @Test
    void providersAreFoundByNameAndValidateTheirKeys() {
        TestingPluginContext context = new TestingPluginContext();
        Authenticator fromConfig = Providers.authenticators().get("static-token")
                .create(PluginConfig.of("auth.static-token", Map.of("tokens", "s1:t1")), context);
        assertThat(fromConfig.authenticate(new Credentials("s1", "d", "t1")).scope().name()).isEqualTo("s1");
        Authenticator hmac = Providers.authenticators().get("hmac")
                .create(PluginConfig.of("auth.hmac", Map.of("secret", new String(SECRET, StandardCharsets.UTF_8))), context);
        String token = HmacTokens.issue(SECRET, "s1", "*", Instant.now().plusSeconds(60));
        assertThat(hmac.authenticate(new Credentials("s1", "d", token)).scope().name()).isEqualTo("s1");
        Authenticator anonymous = Providers.authenticators().get("anonymous")
                .create(PluginConfig.of("auth.anonymous", Map.of("scopes", "a, b")), context);
        expectCode(() -> anonymous.authenticate(new Credentials("c", "d", "")), ErrorCode.SCOPE_FORBIDDEN);
        assertThatThrownBy(() -> Providers.authenticators().get("static-token")
                .create(PluginConfig.of("auth.static-token", Map.of("token", "s1:t1")), context))
                .hasMessageContaining("tokens");
        assertThatThrownBy(() -> Providers.authenticators().get("hmac").create(PluginConfig.empty("auth.hmac"), context))
                .extracting(e -> ((PocketSyncException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID);
    }

    @Test
    void hmacReadsItsSecretFromAFileTrimmedLikeTheTokenTool(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("hmac.secret");
        Files.writeString(file, "  " + new String(SECRET, StandardCharsets.UTF_8) + "\n");
        TestingPluginContext context = new TestingPluginContext();

        Authenticator hmac = Providers.authenticators().get("hmac")
                .create(PluginConfig.of("auth.hmac", Map.of("secret-file", file.toString())), context);

        assertThat(HmacTokens.readSecretFile(file)).isEqualTo(SECRET);
        String token = HmacTokens.issue(SECRET, "s1", "*", Instant.now().plusSeconds(60));
        assertThat(hmac.authenticate(new Credentials("s1", "d", token)).scope().name()).isEqualTo("s1");
        assertThatThrownBy(() -> Providers.authenticators().get("hmac").create(PluginConfig.of("auth.hmac",
                Map.of("secret-file", file.toString(), "secret", new String(SECRET, StandardCharsets.UTF_8))), context))
                .hasMessageContaining("exactly one of 'auth.hmac.secret-file' and 'auth.hmac.secret'");
        expectCode(() -> HmacTokens.readSecretFile(dir.resolve("missing")), ErrorCode.CONFIG_INVALID);
    }

    @Test
    void staticTokensComeFromAFileOfPairsWhichErrorsNeverQuote(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokens.txt");
        Files.writeString(file, "# the tokens of the fleet\nalice:tok-a\n\n  team:shared:tok-t  \nbob:tok-b,carol:tok-c\n");
        TestingPluginContext context = new TestingPluginContext();

        Authenticator fromFile = Providers.authenticators().get("static-token")
                .create(PluginConfig.of("auth.static-token", Map.of("tokens-file", file.toString())), context);
        for (String[] pair : List.of(new String[] {"alice", "tok-a"}, new String[] {"team:shared", "tok-t"},
                new String[] {"bob", "tok-b"}, new String[] {"carol", "tok-c"})) {
            assertThat(fromFile.authenticate(new Credentials(pair[0], "d", pair[1])).scope().name()).isEqualTo(pair[0]);
        }
        Authenticator both = Providers.authenticators().get("static-token").create(PluginConfig.of("auth.static-token",
                Map.of("tokens-file", file.toString(), "tokens", "dave:tok-d")), context);
        assertThat(both.authenticate(new Credentials("dave", "d", "tok-d")).scope().name()).isEqualTo("dave");
        assertThat(both.authenticate(new Credentials("alice", "d", "tok-a")).scope().name()).isEqualTo("alice");

        Files.writeString(file, "alice-without-colon-secret\n");
        assertThatThrownBy(() -> Providers.authenticators().get("static-token")
                .create(PluginConfig.of("auth.static-token", Map.of("tokens-file", file.toString())), context))
                .hasMessageNotContaining("alice-without-colon-secret");
        Files.writeString(file, "# nothing but a comment\n");
        assertThatThrownBy(() -> Providers.authenticators().get("static-token")
                .create(PluginConfig.of("auth.static-token", Map.of("tokens-file", file.toString())), context))
                .hasMessageContaining("holds no scope:token pair");
        expectCode(() -> Providers.authenticators().get("static-token").create(PluginConfig.of("auth.static-token",
                Map.of("tokens-file", dir.resolve("missing").toString())), context), ErrorCode.CONFIG_INVALID);
        assertThatThrownBy(() -> Providers.authenticators().get("static-token").create(PluginConfig.empty("auth.static-token"),
                context)).hasMessageContaining("'auth.static-token.tokens-file' or 'auth.static-token.tokens' is required");
    }

    private static void expectCode(ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOf(PocketSyncException.class)
                .extracting(e -> ((PocketSyncException) e).code()).isEqualTo(code);
    }
}
