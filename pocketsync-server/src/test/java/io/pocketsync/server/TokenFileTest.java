package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
    @TempDir
    Path dir;

    @Test
    void theFileIsReadAgainAtEveryAskSoARenewedTokenIsPickedUp() throws Exception {
        Path file = Files.writeString(dir.resolve("device.token"), "  first-token\n");
        TokenFile tokens = new TokenFile(file);
        assertThat(tokens.get()).isEqualTo("first-token");

        Files.writeString(file, "renewed-token\n");
        assertThat(tokens.get()).isEqualTo("renewed-token");

        // a renewal caught half-way (empty) or a file gone for a moment: the last token read stays
        Files.writeString(file, "");
        assertThat(tokens.get()).isEqualTo("renewed-token");
        Files.delete(file);
        assertThat(tokens.get()).isEqualTo("renewed-token");
    }

    @Test
    void aMissingOrEmptyFileFailsAtStartWithoutQuotingIt() throws Exception {
        assertThatThrownBy(() -> new TokenFile(dir.resolve("missing"))).isInstanceOfSatisfying(PocketSyncException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID)).hasMessageContaining("--token-file");
        Path empty = Files.writeString(dir.resolve("empty.token"), "\n");
        assertThatThrownBy(() -> new TokenFile(empty)).hasMessageContaining("is empty");
    }

    @Test
    void theDeviceTakesOneOfTokenAndTokenFile() throws Exception {
        Path db = dir.resolve("app.db");
        TestDatabases.createTodo(db);
        Path file = Files.writeString(dir.resolve("device.token"), "t\n");
        CliRun run = CliRun.run("device", "--db", db.toString(), "--table", "todo", "--server", "ws://127.0.0.1:1/sync",
                "--scope", "s", "--token", "t", "--token-file", file.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("give one of --token and --token-file");
    }
}
