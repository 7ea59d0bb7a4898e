package io.pocketsync.server;

import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
    private Process broker;
    private int port;
    private JarProcesses processes;
    private ServerRuntime server;

    @BeforeEach
    void startBroker() throws Exception {
        Path passwords = dir.resolve("passwd");
        run("mosquitto_passwd", "-b", "-c", passwords.toString(), "server", "server-secret");
        run("mosquitto_passwd", "-b", passwords.toString(), "sidecar", "sidecar-secret");
        port = TestPorts.freePort();
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, String.join("\n", "listener " + port + " 127.0.0.1", "allow_anonymous false",
                "password_file " + passwords, "persistence false",
                // as root, Mosquitto would drop to its own user, who cannot read the password file in the test directory
                "user " + System.getProperty("user.name"), "log_dest stdout", "log_type all", "connection_messages true",
                ""));
        broker = new ProcessBuilder(mosquitto(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        await().atMost(PATIENCE).until(() -> accepts(port) || !broker.isAlive());
        assertThat(broker.isAlive()).as("mosquitto log: %s", Files.readString(dir.resolve("mosquitto.log"))).isTrue();
        server = ServerRuntime.start(ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.TOKENS, scope + ":tok-1",
                ServerSettings.MQTT_URI, "tcp://127.0.0.1:" + port, "transport.mqtt.username", "server",
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
            broker.destroy();
            if (!broker.waitFor(10, TimeUnit.SECONDS)) {
                broker.destroyForcibly();
            }
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
        assertThat(Files.readString(dir.resolve("mosquitto.log"))).contains("as sidecar-of-" + scope.substring(0, 20))
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

    private static String mosquitto() {
        for (String candidate : List.of("/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "mosquitto";
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as("%s: %s", String.join(" ", command), output).isZero();
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }
}
