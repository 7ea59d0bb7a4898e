package io.pocketsync.server.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Credentials;
import io.pocketsync.api.auth.Grant;
import io.pocketsync.testkit.store.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HS256 secret rotation without a restart (docs/authentication.md): a {@code --jwt-secret-file} of several secrets, one a
 * line, all accepted; re-read when it changes (looked at every few seconds, and at once when a token fails to verify);
 * a file that becomes unusable keeps the last good secrets.
 */
class SecretFileRotationTest {
    private static final String OLD = "the-old-secret-of-at-least-32-bytes!!";
    private static final String NEW = "the-new-secret-of-at-least-32-bytes!!";
    private static final String AUDIENCE = "pocketsync";

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.now());

    private Path write(String text) throws Exception {
        Path file = dir.resolve("jwt.secret");
        Path temp = dir.resolve("jwt.secret.tmp");
        Files.writeString(temp, text);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private JwtAuthenticator authenticator(SecretFileSource source) {
        return new JwtAuthenticator(source, JwtAuthenticator.SECRET_ALGORITHMS, AUDIENCE, null, JwtAuthenticator.DEFAULT_CLAIM,
                Duration.ofSeconds(60), clock);
    }

    private String token(String secret) {
        Instant now = clock.instant();
        return JwtTokens.issueHs256(secret.getBytes(StandardCharsets.UTF_8), Map.of("alice", Grant.READ_WRITE), null, AUDIENCE,
                null, JwtAuthenticator.DEFAULT_CLAIM, now, now.plusSeconds(600));
    }

    private boolean accepts(JwtAuthenticator authenticator, String secret) {
        try {
            return authenticator.authenticate(new Credentials("alice", "dev-1", token(secret))) != null;
        }
        catch (PocketSyncException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED);
            return false;
        }
    }

    @Test
    void everySecretOfTheFileIsAcceptedAndTokensAreSignedWithTheFirst() throws Exception {
        Path file = write(OLD + "\n\n  " + NEW + "  \n");
        JwtAuthenticator authenticator = authenticator(new SecretFileSource(file, clock, Duration.ofSeconds(5)));
        assertThat(accepts(authenticator, OLD)).isTrue();
        assertThat(accepts(authenticator, NEW)).isTrue();
        assertThat(accepts(authenticator, "a-third-secret-of-at-least-32-bytes!!")).isFalse();
        assertThat(JwtTokens.firstSecret(file)).isEqualTo(OLD.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSecretRotatesWithoutARestart() throws Exception {
        Path file = write(OLD + "\n");
        SecretFileSource source = new SecretFileSource(file, clock, Duration.ofSeconds(5));
        JwtAuthenticator authenticator = authenticator(source);
        assertThat(accepts(authenticator, NEW)).isFalse();

        // 1. the new secret is added: a token signed with it verifies at once (its failure made the file be read again)
        write(OLD + "\n" + NEW + "\n");
        assertThat(accepts(authenticator, NEW)).isTrue();
        assertThat(accepts(authenticator, OLD)).as("tokens issued before go on verifying").isTrue();

        // 2. issuers moved to it, the old secret is removed: within the check interval old tokens stop verifying
        write(NEW + "\n");
        clock.advance(Duration.ofSeconds(5));
        assertThat(accepts(authenticator, OLD)).isFalse();
        assertThat(accepts(authenticator, NEW)).isTrue();
        assertThat(source.size()).isEqualTo(1);
    }

    @Test
    void theFileIsLookedAtOnlyEveryFewSecondsWhileTokensVerify() throws Exception {
        Path file = write(OLD + "\n" + NEW + "\n");
        SecretFileSource source = new SecretFileSource(file, clock, Duration.ofSeconds(5));
        JwtAuthenticator authenticator = authenticator(source);
        write(NEW + "\n");
        clock.advance(Duration.ofSeconds(4));
        assertThat(accepts(authenticator, NEW)).isTrue();
        assertThat(source.size()).as("not looked at yet").isEqualTo(2);
        clock.advance(Duration.ofSeconds(1));
        assertThat(accepts(authenticator, NEW)).isTrue();
        assertThat(source.size()).isEqualTo(1);
    }

    @Test
    void anUnusableFileKeepsTheLastGoodSecrets() throws Exception {
        Path file = write(OLD + "\n" + NEW + "\n");
        SecretFileSource source = new SecretFileSource(file, clock, Duration.ofSeconds(5));
        JwtAuthenticator authenticator = authenticator(source);

        write("\n");
        clock.advance(Duration.ofSeconds(5));
        assertThat(accepts(authenticator, OLD)).as("an emptied file").isTrue();
        write("too-short\n");
        clock.advance(Duration.ofSeconds(5));
        assertThat(accepts(authenticator, NEW)).as("a secret too short").isTrue();
        Files.delete(file);
        clock.advance(Duration.ofSeconds(5));
        assertThat(accepts(authenticator, NEW)).as("a missing file").isTrue();
        assertThat(source.size()).isEqualTo(2);

        write(NEW + "\n");
        clock.advance(Duration.ofSeconds(5));
        assertThat(accepts(authenticator, OLD)).as("a good file again is used").isFalse();
    }

    @Test
    void startUpRefusesAFileWithoutSecretsOrWithAShortOneNamingTheLineNotTheSecret() throws Exception {
        Path empty = write("\n  \n");
        assertThatThrownBy(() -> new SecretFileSource(empty, clock, Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("holds no secret");
        Path shortLine = write(OLD + "\nshort-secret\n");
        assertThatThrownBy(() -> new SecretFileSource(shortLine, clock, Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("line 2").hasMessageNotContaining("short-secret");
        assertThatThrownBy(() -> JwtTokens.firstSecret(dir.resolve("missing")))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID));
    }
}
