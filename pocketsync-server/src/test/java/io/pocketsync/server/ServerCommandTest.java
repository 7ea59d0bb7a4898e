package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.core.config.Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServerCommandTest {
    @TempDir
    Path dir;

    private static ServerCommand parse(String... args) {
        CommandLine commandLine = PocketSyncCli.commandLine(ShutdownSignal::new);
        CommandLine.ParseResult result = commandLine.parseArgs(args);
        ServerCommand command = (ServerCommand) result.subcommand().commandSpec().userObject();
        command.environmentVariables = Map.of(); // the process's POCKETSYNC_* variables must not leak in
        return command;
    }

    @Test
    void defaults() {
        ServerSettings settings = parse("server").settings();

        assertThat(settings.host()).isEqualTo("127.0.0.1");
        assertThat(settings.port()).isEqualTo(8787);
        assertThat(settings.store()).isEqualTo("sqlite");
        assertThat(settings.sqlitePath()).isEqualTo(Path.of("./pocketsync-server.db"));
        assertThat(settings.redisUri()).isEmpty();
        assertThat(settings.redisPrefix()).isEqualTo("pocketsync");
        assertThat(settings.mqttUri()).isEmpty();
        assertThat(settings.tokens()).isEmpty();
        assertThat(settings.hmacSecretFile()).isEmpty();
        assertThat(settings.allowAnonymous()).isFalse();
        assertThat(settings.defaultResolver()).isEqualTo("last-write-wins");
        assertThat(settings.tableResolvers()).isEmpty();
        assertThat(settings.metricsPort()).isEmpty();
    }

    @Test
    void everyFlagMapsToItsKey() {
        ServerCommand command = parse("server", "--host", "0.0.0.0", "--port", "9001", "--store", "redis",
                "--db", "/tmp/x.db", "--redis", "redis://127.0.0.1:6390", "--redis-prefix", "ps-test",
                "--mqtt", "tcp://127.0.0.1:1883", "--token", "alice:t1", "--token", "bob:t2",
                "--hmac-secret-file", "/tmp/secret", "--allow-anonymous", "--resolver", "field-merge",
                "--resolver", "notes=server-wins", "--metrics-port", "9100");

        assertThat(command.flagValues()).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("transport.websocket.host", "0.0.0.0"),
                Map.entry("transport.websocket.port", "9001"),
                Map.entry("server.store", "redis"),
                Map.entry("store.sqlite.path", "/tmp/x.db"),
                Map.entry("store.redis.uri", "redis://127.0.0.1:6390"),
                Map.entry("store.redis.prefix", "ps-test"),
                Map.entry("transport.mqtt.uri", "tcp://127.0.0.1:1883"),
                Map.entry("auth.static-token.tokens", "alice:t1,bob:t2"),
                Map.entry("auth.hmac.secret-file", "/tmp/secret"),
                Map.entry("server.allow-anonymous", "true"),
                Map.entry("resolver.default", "field-merge"),
                Map.entry("resolver.table.notes", "server-wins"),
                Map.entry("metrics.port", "9100")));
        ServerSettings settings = command.settings();
        assertThat(settings.host()).isEqualTo("0.0.0.0");
        assertThat(settings.port()).isEqualTo(9001);
        assertThat(settings.store()).isEqualTo("redis");
        assertThat(settings.redisUri()).contains(URI.create("redis://127.0.0.1:6390"));
        assertThat(settings.redisPrefix()).isEqualTo("ps-test");
        assertThat(settings.mqttUri()).contains(URI.create("tcp://127.0.0.1:1883"));
        assertThat(settings.tokens()).containsExactly("alice:t1", "bob:t2");
        assertThat(settings.hmacSecretFile()).contains(Path.of("/tmp/secret"));
        assertThat(settings.allowAnonymous()).isTrue();
        assertThat(settings.defaultResolver()).isEqualTo("field-merge");
        assertThat(settings.tableResolvers()).containsExactly(Map.entry("notes", "server-wins"));
        assertThat(settings.metricsPort()).contains(9100);
    }

    @Test
    void flagsThatTurnAPluginOnAlsoNameIt() throws IOException {
        assertThat(parse("server").settings().asMap())
                .containsEntry("server.transports", "websocket").doesNotContainKey("server.auth");
        assertThat(parse("server", "--token", "a:t", "--hmac-secret-file", "/s", "--mqtt", "tcp://127.0.0.1:1883")
                .settings().asMap())
                .containsEntry("server.auth", "static-token,hmac")
                .containsEntry("server.transports", "websocket,mqtt");

        Path config = dir.resolve("server.properties");
        Files.writeString(config, "server.auth = hmac\nauth.hmac.secret-file = /s\nserver.transports = mqtt\n"
                + "transport.mqtt.uri = tcp://127.0.0.1:1883\n");
        assertThat(parse("server", "--config", config.toString(), "--token", "a:t", "--mqtt", "tcp://127.0.0.1:1884")
                .settings().asMap())
                .as("added to the file's lists, once")
                .containsEntry("server.auth", "hmac,static-token")
                .containsEntry("server.transports", "mqtt");
    }

    @Test
    void aConfigFileMustNameThePluginsItConfigures() throws IOException {
        Path config = dir.resolve("server.properties");
        Files.writeString(config, "transport.mqtt.uri = tcp://127.0.0.1:1883\n");
        ServerSettings settings = parse("server", "--config", config.toString(), "--allow-anonymous").settings();

        assertThatThrownBy(() -> ServerRuntime.start(settings))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("'transport.mqtt.uri' configures the transport 'mqtt', which 'server.transports'"
                        + " does not name (it names websocket)");
    }

    @Test
    void flagsOverrideTheConfigFile() throws IOException {
        Path config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "transport.websocket.port = 9100",
                "transport.websocket.host = 10.0.0.1",
                "resolver.table.todo = field-merge",
                "resolver.table.notes = client-wins",
                "store.sqlite.path = " + dir.resolve("from-file.db"),
                ""));

        ServerSettings settings = parse("server", "--config", config.toString(), "--port", "9200",
                "--resolver", "notes=server-wins").settings();

        assertThat(settings.port()).isEqualTo(9200);
        assertThat(settings.host()).isEqualTo("10.0.0.1");
        assertThat(settings.sqlitePath()).isEqualTo(dir.resolve("from-file.db"));
        assertThat(settings.tableResolvers()).containsOnly(Map.entry("todo", "field-merge"), Map.entry("notes", "server-wins"));
    }

    @Test
    void engineOptionsComeFromTheServerNamespace() throws IOException {
        Path config = dir.resolve("engine.properties");
        Files.writeString(config, "server.clock-skew = 1m\nserver.retention = 7d\nserver.max-batch-changes = 200\n"
                + "server.page-rows = 50\nserver.node-id = node-a\n");

        io.pocketsync.server.engine.ServerOptions options =
                io.pocketsync.server.engine.ServerOptionsConfig.from(parse("server", "--config", config.toString()).settings().settings());

        assertThat(options.clockSkew()).isEqualTo(java.time.Duration.ofMinutes(1));
        assertThat(options.retention()).isEqualTo(java.time.Duration.ofDays(7));
        assertThat(options.maxBatchChanges()).isEqualTo(200);
        assertThat(options.pageRows()).isEqualTo(50);
        assertThat(options.nodeId()).isEqualTo("node-a");
    }

    @Test
    void misspeltEngineOptionNamesTheNearest() throws IOException {
        Path config = dir.resolve("engine.properties");
        Files.writeString(config, "server.retension = 7d\n");

        assertThatThrownBy(() -> parse("server", "--config", config.toString()).settings())
                .hasMessage("unknown configuration key 'server.retension'; did you mean 'server.retention'?");
    }

    @Test
    void unknownConfigKeyNamesTheNearest() throws IOException {
        Path config = dir.resolve("server.properties");
        Files.writeString(config, "stroe.sqlite.path = x.db\n");

        assertThatThrownBy(() -> parse("server", "--config", config.toString()).settings())
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessage("unknown configuration key 'stroe.sqlite.path'; did you mean 'store.sqlite.path'?");
    }

    @Test
    void unknownConfigKeyThroughTheCliIsOneLineAndExitTwo() throws IOException {
        Path config = dir.resolve("server.properties");
        Files.writeString(config, "metrics.prot = 9100\n");

        CliRun run = CliRun.run("server", "--config", config.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly(
                "pocketsync: unknown configuration key 'metrics.prot'; did you mean 'metrics.port'? [CONFIG_INVALID]");
    }

    @Test
    void yamlConfigFileWorksLikeProperties() throws IOException {
        Path config = dir.resolve("server.yaml");
        Files.writeString(config, String.join("\n",
                "transport:",
                "  websocket:",
                "    port: 9300",
                "auth:",
                "  static-token:",
                "    tokens: [\"alice:a1\", \"bob:b2\"]",
                "resolver:",
                "  default: field-merge",
                "metrics:",
                "  port: 9301",
                ""));

        ServerSettings settings = parse("server", "--config", config.toString()).settings();

        assertThat(settings.port()).isEqualTo(9300);
        assertThat(settings.tokens()).containsExactly("alice:a1", "bob:b2");
        assertThat(settings.defaultResolver()).isEqualTo("field-merge");
        assertThat(settings.metricsPort()).contains(9301);
    }

    @Test
    void missingConfigFileIsAConfigError() {
        CliRun run = CliRun.run("server", "--config", dir.resolve("nope.yaml").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines()[0]).contains("nope.yaml");
    }

    @Test
    void redisStoreNeedsAUri() {
        assertThatThrownBy(() -> parse("server", "--store", "redis").settings())
                .isInstanceOf(PocketSyncException.class)
                .hasMessageContaining("store.redis.uri");
    }

    @Test
    void tableResolverNeedsBothSides() {
        CliRun run = CliRun.run("server", "--resolver", "=server-wins");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly(
                "pocketsync: invalid value for option '--resolver': '=server-wins' (expected NAME or TABLE=NAME)");
    }

    @Test
    void settingsToStringMasksSecrets() {
        ServerSettings settings = parse("server", "--token", "alice:hunter2", "--store", "redis",
                "--redis", "redis://:pw@127.0.0.1:6379").settings();

        assertThat(settings.toString()).doesNotContain("hunter2").doesNotContain(":pw@").contains("127.0.0.1:6379");
    }

    @Test
    void secretsComeFromATokensFileOrTheEnvironmentAndTheFlagsWin() {
        assertThat(parse("server", "--token-file", "/etc/pocketsync/tokens").settings().asMap())
                .containsEntry(ServerSettings.TOKENS_FILE, "/etc/pocketsync/tokens")
                .containsEntry(ServerSettings.AUTH, "static-token");

        Map<String, String> environment = Map.of(ServerCommand.ENV_TOKENS, "alice:from-env",
                ServerCommand.ENV_HMAC_SECRET, "an-hmac-secret-from-the-environment");
        ServerCommand fromEnvironment = parse("server");
        fromEnvironment.environmentVariables = environment;
        ServerSettings settings = fromEnvironment.settings();
        assertThat(settings.tokens()).containsExactly("alice:from-env");
        assertThat(settings.get(ServerSettings.HMAC_SECRET)).contains("an-hmac-secret-from-the-environment");
        assertThat(settings.authenticators()).containsExactly("static-token", "hmac");
        assertThat(settings.toString()).doesNotContain("from-env").doesNotContain("an-hmac-secret-from-the-environment");

        ServerCommand flagsWin = parse("server", "--token", "alice:from-flag", "--hmac-secret-file", "/s");
        flagsWin.environmentVariables = environment;
        assertThat(flagsWin.settings().tokens()).containsExactly("alice:from-flag");
        assertThat(flagsWin.settings().get(ServerSettings.HMAC_SECRET)).isEmpty();
    }

    @Test
    void theTokenCommandTakesTheSecretFromTheEnvironmentToo() {
        TokenCommand command = (TokenCommand) PocketSyncCli.commandLine(ShutdownSignal::new)
                .parseArgs("token", "--scope", "alice", "--ttl", "1h").subcommand().commandSpec().userObject();
        command.environment = Map.of(ServerCommand.ENV_HMAC_SECRET, "0123456789abcdef-env-secret")::get;
        java.io.StringWriter out = new java.io.StringWriter();
        command.spec.commandLine().setOut(new java.io.PrintWriter(out));
        assertThat(command.call()).isZero();
        String token = out.toString().strip();
        io.pocketsync.api.auth.Principal granted = new io.pocketsync.server.engine.auth.HmacTokenAuthenticator(
                "0123456789abcdef-env-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8), java.time.Clock.systemUTC())
                .authenticate(new io.pocketsync.api.auth.Credentials("alice", "d", token));
        assertThat(granted.scope().name()).isEqualTo("alice");

        TokenCommand withoutSecret = (TokenCommand) PocketSyncCli.commandLine(ShutdownSignal::new)
                .parseArgs("token", "--scope", "alice").subcommand().commandSpec().userObject();
        withoutSecret.environment = name -> null;
        assertThatThrownBy(withoutSecret::call).hasMessageContaining("give --hmac-secret-file FILE or set POCKETSYNC_HMAC_SECRET");
    }

    @Test
    void theTokenCommandIssuesJwtsWithAGrantPerScope() {
        String secret = "a-jwt-secret-of-at-least-thirty-two-bytes";
        TokenCommand command = (TokenCommand) PocketSyncCli.commandLine(ShutdownSignal::new)
                .parseArgs("token", "--jwt", "--scope", "alice", "--scope", "fleet:config:r", "--audience", "aud-1",
                        "--device", "phone", "--ttl", "1h").subcommand().commandSpec().userObject();
        command.environment = Map.of(ServerCommand.ENV_JWT_SECRET, secret)::get;
        java.io.StringWriter out = new java.io.StringWriter();
        command.spec.commandLine().setOut(new java.io.PrintWriter(out));
        assertThat(command.call()).isZero();
        String token = out.toString().strip();
        io.pocketsync.api.auth.Authenticator verifier = io.pocketsync.core.discovery.Providers.authenticators().get("jwt").create(
                io.pocketsync.api.PluginConfig.of("auth.jwt", Map.of("secret", secret, "audience", "aud-1")),
                new io.pocketsync.api.PluginContext() {
                    @Override
                    public String nodeId() {
                        return "test";
                    }

                    @Override
                    public io.pocketsync.api.codec.Codec codec(String name) {
                        throw new UnsupportedOperationException();
                    }
                });
        assertThat(verifier.authenticate(new io.pocketsync.api.auth.Credentials("alice", "phone", token)).grant())
                .isEqualTo(io.pocketsync.api.auth.Grant.READ_WRITE);
        assertThat(verifier.authenticate(new io.pocketsync.api.auth.Credentials("fleet:config", "phone", token)).grant())
                .isEqualTo(io.pocketsync.api.auth.Grant.READ_ONLY);
        assertThatThrownBy(() -> verifier.authenticate(new io.pocketsync.api.auth.Credentials("alice", "laptop", token)))
                .isInstanceOf(io.pocketsync.api.PocketSyncException.class);

        TokenCommand noAudience = (TokenCommand) PocketSyncCli.commandLine(ShutdownSignal::new)
                .parseArgs("token", "--jwt", "--scope", "alice").subcommand().commandSpec().userObject();
        noAudience.environment = Map.of(ServerCommand.ENV_JWT_SECRET, secret)::get;
        assertThatThrownBy(noAudience::call).hasMessageContaining("--jwt needs --audience AUD");
        TokenCommand twoScopesHmac = (TokenCommand) PocketSyncCli.commandLine(ShutdownSignal::new)
                .parseArgs("token", "--scope", "a", "--scope", "b").subcommand().commandSpec().userObject();
        assertThatThrownBy(twoScopesHmac::call).hasMessageContaining("an HMAC token grants one scope");
        TokenCommand shortSecret = (TokenCommand) PocketSyncCli.commandLine(ShutdownSignal::new)
                .parseArgs("token", "--jwt", "--scope", "a", "--audience", "x").subcommand().commandSpec().userObject();
        shortSecret.environment = Map.of(ServerCommand.ENV_JWT_SECRET, "too-short")::get;
        assertThatThrownBy(shortSecret::call).hasMessageContaining("at least 32 bytes");
    }

    @Test
    void jwtFlagsSetTheirKeysAndSelectJwt() {
        ServerCommand command = parse("server", "--jwks-url", "https://idp.example/jwks.json", "--jwt-audience", "aud-1",
                "--jwt-issuer", "https://idp.example/");
        ServerSettings settings = command.settings();
        assertThat(settings.authenticators()).containsExactly("jwt");
        assertThat(settings.get(ServerSettings.JWKS_URL)).contains("https://idp.example/jwks.json");
        assertThat(settings.get(ServerSettings.JWT_AUDIENCE)).contains("aud-1");

        ServerCommand fromEnvironment = parse("server", "--jwt-audience", "aud-1");
        fromEnvironment.environmentVariables = Map.of(ServerCommand.ENV_JWT_SECRET, "a-jwt-secret-from-the-environment-32b");
        assertThat(fromEnvironment.settings().authenticators()).containsExactly("jwt");
        assertThat(fromEnvironment.settings().toString()).doesNotContain("a-jwt-secret-from-the-environment-32b");
    }

    @Test
    void providerKeysPassThroughToTheirNamespace() {
        ServerSettings settings = ServerSettings.of(Settings.of(Map.of("store.sqlite.busy-timeout", "5s")), Map.of());

        assertThat(settings.namespace("store.sqlite").asMap())
                .containsEntry("busy-timeout", "5s")
                .containsEntry("path", "./pocketsync-server.db");
    }
}
