package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PocketSyncCliTest {
    @Test
    void helpListsTheCommands() {
        CliRun run = CliRun.run("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: pocketsync", "server", "device", "demo", "token", "--version");
    }

    @Test
    void versionComesFromTheBuild() {
        CliRun run = CliRun.run("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("pocketsync " + VersionProvider.version());
        assertThat(VersionProvider.version()).isNotEqualTo("unknown").doesNotContain("${");
    }

    @Test
    void serverHelpListsEveryFlag() {
        CliRun run = CliRun.run("server", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--host", "--port", "--store", "--db", "--redis", "--redis-prefix", "--mqtt",
                "--token", "--hmac-secret-file", "--allow-anonymous", "--resolver", "--metrics-port", "--config");
    }

    @Test
    void deviceHelpListsEveryFlag() {
        CliRun run = CliRun.run("device", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--db", "--table", "--server", "--scope", "--token");
    }

    @Test
    void misspelledFlagIsOneLineNamingTheNearest() {
        CliRun run = CliRun.run("server", "--prot", "9000");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly("pocketsync: unknown option '--prot'; did you mean '--port'?");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void misspelledFlagWithEqualsNamesOnlyTheFlag() {
        CliRun run = CliRun.run("server", "--metric-port=9100");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly("pocketsync: unknown option '--metric-port'; did you mean '--metrics-port'?");
    }

    @Test
    void misspelledCommandNamesTheNearest() {
        CliRun run = CliRun.run("sever");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly("pocketsync: unknown command 'sever'; did you mean 'server'?");
    }

    @Test
    void badValueIsOneLine() {
        CliRun run = CliRun.run("server", "--port", "eighty");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines()[0]).startsWith("pocketsync: ").contains("--port", "eighty");
    }

    @Test
    void missingRequiredDeviceFlagIsOneLine() {
        CliRun run = CliRun.run("device", "--db", "x.db", "--table", "todo", "--scope", "s");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines()[0]).startsWith("pocketsync: ").contains("--server");
    }

    @Test
    void noCommandIsOneLine() {
        CliRun run = CliRun.run();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly(
                "pocketsync: missing command (server, device or demo); see 'pocketsync --help'");
    }

    @Test
    void malformedTokenIsRejectedWithoutEchoingIt() {
        CliRun run = CliRun.run("server", "--token", "secret-without-scope");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly("pocketsync: invalid value for option '--token': expected SCOPE:TOKEN");
        assertThat(run.err()).doesNotContain("secret-without-scope");
    }
}
