package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.admin.AdminOptions;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code admin.*} keys and flags of {@code pocketsync server}. */
class AdminSettingsTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    private static ServerSettings parse(String... args) {
        CommandLine.ParseResult result = PocketSyncCli.commandLine(ShutdownSignal::new).parseArgs(args);
        return ((ServerCommand) result.subcommand().commandSpec().userObject()).settings();
    }

    @Test
    void theAdminApiIsOffByDefault() {
        ServerSettings settings = parse("server");

        assertThat(AdminSettings.port(settings)).isEmpty();
        assertThat(AdminSettings.bind(settings)).isEqualTo("127.0.0.1");
        assertThat(AdminSettings.options(settings, name -> TOKEN)).isEmpty();
    }

    @Test
    void flagsMapToTheirKeysAndStayOutOfTheEnginesSettings() throws IOException {
        Path file = Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
        ServerSettings settings = parse("server", "--admin-port", "8790", "--admin-bind", "127.0.0.2",
                "--admin-token-file", file.toString());

        assertThat(settings.asMap()).contains(Map.entry("admin.port", "8790"), Map.entry("admin.bind", "127.0.0.2"),
                Map.entry("admin.token-file", file.toString()));
        assertThat(settings.serverSettings().asMap()).doesNotContainKeys("admin.port", "admin.bind", "admin.token-file");
        AdminOptions options = AdminSettings.options(settings, name -> null).orElseThrow();
        assertThat(options.port()).isEqualTo(8790);
        assertThat(options.bind().getHostAddress()).isEqualTo("127.0.0.2");
        assertThat(options.token()).isEqualTo(TOKEN);
    }

    @Test
    void theTokenComesFromTheFileFirstThenTheEnvironment() throws IOException {
        ServerSettings fromEnvironment = parse("server", "--admin-port", "0");
        assertThat(AdminSettings.options(fromEnvironment,
                name -> name.equals("POCKETSYNC_ADMIN_TOKEN") ? " " + TOKEN + " " : null).orElseThrow().token()).isEqualTo(TOKEN);

        Path file = Files.writeString(dir.resolve("admin.token"), "file-token-of-enough-length\n");
        ServerSettings fromFile = parse("server", "--admin-port", "0", "--admin-token-file", file.toString());
        assertThat(AdminSettings.options(fromFile, name -> TOKEN).orElseThrow().token()).isEqualTo("file-token-of-enough-length");
    }

    @Test
    void anAdminPortWithoutAUsableTokenIsAConfigErrorThatNamesTheWays() throws IOException {
        ServerSettings settings = parse("server", "--admin-port", "0");
        assertThatThrownBy(() -> AdminSettings.options(settings, name -> null)).isInstanceOfSatisfying(PocketSyncException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
            assertThat(e.getMessage()).contains("--admin-token-file").contains("POCKETSYNC_ADMIN_TOKEN");
        });
        assertThatThrownBy(() -> AdminSettings.options(settings, name -> "too-short")).isInstanceOfSatisfying(
                PocketSyncException.class, e -> assertThat(e.getMessage()).contains("16").doesNotContain("too-short"));
        ServerSettings missing = parse("server", "--admin-port", "0", "--admin-token-file", dir.resolve("nope").toString());
        assertThatThrownBy(() -> AdminSettings.options(missing, name -> TOKEN)).isInstanceOfSatisfying(PocketSyncException.class,
                e -> assertThat(e.getMessage()).contains("cannot read the admin token file"));
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        ServerSettings blank = parse("server", "--admin-port", "0", "--admin-token-file", empty.toString());
        assertThatThrownBy(() -> AdminSettings.options(blank, name -> TOKEN)).hasMessageContaining("is empty");
    }

    @Test
    void aBadPortOrAMisspeltKeyIsRefusedAtOnce() throws IOException {
        assertThatThrownBy(() -> parse("server", "--admin-port", "70000")).isInstanceOfSatisfying(PocketSyncException.class,
                e -> assertThat(e.getMessage()).contains("admin.port"));
        Path config = Files.writeString(dir.resolve("server.properties"), "admin.prot = 8790\n");
        assertThatThrownBy(() -> parse("server", "--config", config.toString())).isInstanceOfSatisfying(PocketSyncException.class,
                e -> assertThat(e.getMessage()).contains("did you mean 'admin.port'"));
    }
}
