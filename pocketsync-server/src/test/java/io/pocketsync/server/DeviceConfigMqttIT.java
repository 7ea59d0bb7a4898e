package io.pocketsync.server;

import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar logs in to a broker that wants credentials: a private Mosquitto on an ephemeral port with a password
 * file. The MQTT username and client id come from {@code --config}, the password and the token from environment
 * variables, so no secret stands on the command line; a wrong password is told as such.
 */
class DeviceConfigMqttIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private final String scope = "mqtt-config-" + UUID.randomUUID();
    private PrivateMosquitto broker;
    private int port;
    private JarProcesses processes;
    private ServerRuntime server;

    @BeforeEach
    void startBroker() throws Exception {
        broker = PrivateMosquitto.start(dir, null, "server", "server-secret", "sidecar", "sidecar-secret");
        port = broker.port();
        server = ServerRuntime.start(ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.TOKENS, scope + ":tok-1",
                ServerSettings.MQTT_URI, broker.uri(), "transport.mqtt.username", "server",
                "transport.mqtt.password", "server-secret")));
        processes = new JarProcesses(dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (processes != null) {
            processes.close();
        }
        if (server != null) {
            server.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void credentialsFromTheConfigFileAndTheEnvironmentLogTheSidecarIn() throws Exception {
        Path db = dir.resolve("app.db");
        sqlite3(db, "CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT); INSERT INTO notes VALUES ('n1', 'over a locked broker');");
        Path config = dir.resolve("device.yaml");
        Files.writeString(config, String.join("\n",
                "device:",
                "  db: " + db,
                "  tables: notes",
                "  server: tcp://127.0.0.1:" + port,
                "  scope: " + scope,
                "transport:",
                "  mqtt:",
                "    username: sidecar",
                "    client-id: sidecar-of-" + scope.substring(0, 20),
                ""));

        processes.start("device", Map.of("POCKETSYNC_MQTT_PASSWORD", "sidecar-secret", "POCKETSYNC_TOKEN", "tok-1"),
                "device", "--config", config.toString());

        await().atMost(PATIENCE).ignoreExceptions().until(() -> sqlite3(db,
                "SELECT count(*) FROM __pocketsync_changes WHERE state = 'acked';")
                .equals("1") || processes.log("device").contains("Stopped"));
        assertThat(sqlite3(db, "SELECT count(*) FROM __pocketsync_changes WHERE state = 'acked';"))
                .as("sidecar log: %s", processes.log("device")).isEqualTo("1");
        assertThat(broker.log()).contains("as sidecar-of-" + scope.substring(0, 20))
                .contains("u'sidecar'");
        assertThat(processes.log("device")).doesNotContain("sidecar-secret").doesNotContain("tok-1");
    }

    @Test
    void aWrongBrokerPasswordIsToldAsARefusedLogin() throws Exception {
        Path db = dir.resolve("app.db");
        sqlite3(db, "CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT);");
        Path config = dir.resolve("device.properties");
        Files.writeString(config, "transport.mqtt.username=sidecar\n");

        processes.start("device", Map.of("POCKETSYNC_MQTT_PASSWORD", "not-the-password"), "device", "--config",
                config.toString(), "--db", db.toString(), "--table", "notes", "--server", "tcp://127.0.0.1:" + port, "--scope",
                scope);

        await().atMost(PATIENCE).until(() -> processes.log("device").contains("refused the login"));
        assertThat(processes.log("device")).containsPattern("WARN .*cannot connect to tcp://127.0.0.1:" + port
                + ": the MQTT broker at 127.0.0.1:" + port + " refused the login")
                .doesNotContain("not-the-password");
    }
}
