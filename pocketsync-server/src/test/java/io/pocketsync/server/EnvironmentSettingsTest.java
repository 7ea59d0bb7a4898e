package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.core.config.ConfigKey;
import io.pocketsync.core.config.ConfigSchema;
import io.pocketsync.core.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EnvironmentSettingsTest {
    @TempDir
    Path dir;

    private static Settings read(Map<String, String> environment) {
        return EnvironmentSettings.read(environment, ServerSettings.schema());
    }

    private static ServerCommand parse(Map<String, String> environment, String... args) {
        CommandLine.ParseResult result = PocketSyncCli.commandLine(ShutdownSignal::new).parseArgs(args);
        ServerCommand command = (ServerCommand) result.subcommand().commandSpec().userObject();
        command.environmentVariables = environment;
        return command;
    }

    @Test
    void aKeysVariableIsUpperCaseWithDotsAndDashesAsUnderscores() {
        assertThat(EnvironmentSettings.variableName("store.sqlite.path")).isEqualTo("POCKETSYNC_STORE_SQLITE_PATH");
        assertThat(EnvironmentSettings.variableName("auth.static-token.tokens")).isEqualTo("POCKETSYNC_AUTH_STATIC_TOKEN_TOKENS");
        assertThat(EnvironmentSettings.variableName("server.allow-anonymous")).isEqualTo("POCKETSYNC_SERVER_ALLOW_ANONYMOUS");
    }

    @Test
    void everyKnownKeyIsReadBackFromItsVariable() {
        for (ConfigKey key : ServerSettings.schema().keys()) {
            String value = key.defaultValue() == null ? "x" : key.defaultValue();
            if (key.key().endsWith(".port")) {
                value = "9464"; // metrics.port, admin.port: a port is checked when read
            }

            assertThat(read(Map.of(EnvironmentSettings.variableName(key.key()), value)).asMap())
                    .as(key.key()).containsExactly(Map.entry(key.key(), value));
        }
    }

    @Test
    void pluginKeysAreDashCaseInTheLongestNamespace() {
        Settings settings = read(Map.of(
                "POCKETSYNC_STORE_SQLITE_BUSY_TIMEOUT", "10s",
                "POCKETSYNC_TRANSPORT_MQTT_TOPIC_ROOT", "fleet",
                "POCKETSYNC_AUTH_STATIC_TOKEN_TOKENS", "alice:s3cret"));

        assertThat(settings.asMap()).containsOnly(
                Map.entry("store.sqlite.busy-timeout", "10s"),
                Map.entry("transport.mqtt.topic-root", "fleet"),
                Map.entry("auth.static-token.tokens", "alice:s3cret"));
    }

    @Test
    void aTableResolversTableNameIsTakenAsWritten() {
        assertThat(read(Map.of("POCKETSYNC_RESOLVER_TABLE_todo_item", "field-merge")).asMap())
                .containsOnly(Map.entry("resolver.table.todo_item", "field-merge"));
    }

    @Test
    void otherVariablesEmptyOnesAndNonSettingOnesAreNotSettings() {
        Map<String, String> environment = new HashMap<>();
        environment.put("PATH", "/usr/bin");
        environment.put("JAVA_OPTS", "-Xmx1g");
        environment.put("pocketsync_store_sqlite_path", "lower-case is not ours");
        environment.put("POCKETSYNC_METRICS_PORT", "  ");
        EnvironmentSettings.NON_SETTING_VARIABLES.forEach(name -> environment.put(name, "secret"));
        environment.put("POCKETSYNC_TRANSPORT_WEBSOCKET_PORT", " 9001 ");

        assertThat(read(environment).asMap()).containsOnly(Map.entry("transport.websocket.port", "9001"));
        assertThat(EnvironmentSettings.settingVariables(environment)).containsExactly("POCKETSYNC_TRANSPORT_WEBSOCKET_PORT");
    }

    @Test
    void anUnknownVariableFailsNamingTheNearest() {
        assertThatThrownBy(() -> read(Map.of("POCKETSYNC_METRICS_PROT", "9464")))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessage("unknown environment variable POCKETSYNC_METRICS_PROT: no server setting has that name;"
                        + " did you mean POCKETSYNC_METRICS_PORT? (a key's variable is POCKETSYNC_KEY with '.' and '-' as '_';"
                        + " see docs/operations.md)");
        assertThatThrownBy(() -> read(Map.of("POCKETSYNC_PORT", "1", "POCKETSYNC_STORE", "sqlite")))
                .hasMessageStartingWith("unknown environment variables POCKETSYNC_PORT, POCKETSYNC_STORE: no server setting");
    }

    @Test
    void aBadValueNamesTheVariableAndTheKey() {
        assertThatThrownBy(() -> read(Map.of("POCKETSYNC_SERVER_PAGE_ROWS", "many")))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessage("invalid value 'many' for POCKETSYNC_SERVER_PAGE_ROWS (server.page-rows): expected an integer");
    }

    @Test
    void aSecretsBadValueIsNotEchoed() {
        ConfigSchema schema = new ConfigSchema().register(new ConfigKey("auth.vault.password", "a secret", null, value -> {
            throw new IllegalArgumentException("at least 12 characters");
        }));

        assertThatThrownBy(() -> EnvironmentSettings.read(Map.of("POCKETSYNC_AUTH_VAULT_PASSWORD", "hunter2"), schema))
                .hasMessage("invalid value **** for POCKETSYNC_AUTH_VAULT_PASSWORD (auth.vault.password): expected at least 12 characters");
    }

    @Test
    void aVariableThatCouldMeanTwoKeysFails() {
        ConfigSchema schema = new ConfigSchema().register(ConfigKey.string("a.b-c", "one", null), ConfigKey.string("a.b.c", "two", null));

        assertThatThrownBy(() -> EnvironmentSettings.read(Map.of("POCKETSYNC_A_B_C", "x"), schema))
                .hasMessage("POCKETSYNC_A_B_C could mean any of [a.b-c, a.b.c]; set that key in the --config file instead");
    }

    @Test
    void flagsWinOverTheEnvironmentWhichWinsOverTheFile() throws IOException {
        Path config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "transport.websocket.port = 9100",
                "transport.websocket.host = 10.0.0.1",
                "store.sqlite.path = " + dir.resolve("from-file.db"),
                "metrics.port = 9101",
                ""));
        Map<String, String> environment = Map.of(
                "POCKETSYNC_TRANSPORT_WEBSOCKET_PORT", "9200",
                "POCKETSYNC_STORE_SQLITE_PATH", dir.resolve("from-env.db").toString(),
                "POCKETSYNC_METRICS_PORT", "9201");

        ServerSettings settings = parse(environment, "server", "--config", config.toString(), "--metrics-port", "9301").settings();

        assertThat(settings.host()).as("file only").isEqualTo("10.0.0.1");
        assertThat(settings.port()).as("env over file").isEqualTo(9200);
        assertThat(settings.sqlitePath()).as("env over file").isEqualTo(dir.resolve("from-env.db"));
        assertThat(settings.metricsPort()).as("flag over env").contains(9301);
    }

    @Test
    void secretsComeFromTheEnvironmentAndNameTheirPluginLikeTheFile() {
        Map<String, String> environment = Map.of(
                "POCKETSYNC_SERVER_AUTH", "static-token",
                "POCKETSYNC_AUTH_STATIC_TOKEN_TOKENS", "alice:s3cret,bob:t0ken");

        ServerSettings settings = parse(environment, "server").settings();

        assertThat(settings.authenticators()).containsExactly("static-token");
        assertThat(settings.tokens()).containsExactly("alice:s3cret", "bob:t0ken");
        assertThat(settings.toString()).doesNotContain("s3cret");
        ServerSettings unselected = parse(Map.of("POCKETSYNC_AUTH_STATIC_TOKEN_TOKENS", "alice:s3cret"), "server", "--allow-anonymous").settings();
        assertThatThrownBy(() -> ServerRuntime.start(unselected))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("'auth.static-token.tokens' configures the auth 'static-token', which 'server.auth' does not name");
    }

    @Test
    void theCommandReadsTheEnvironmentOnlyForSettings() {
        ServerCommand command = parse(Map.of("POCKETSYNC_SERVER_NODE_ID", "node-env", "POCKETSYNC_TOKEN", "device-token"), "server");

        assertThat(command.settings().get("server.node-id")).contains("node-env");
        assertThat(command.settings().asMap()).doesNotContainValue("device-token");
    }
}
