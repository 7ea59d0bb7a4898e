package io.pocketsync.server;

import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker ACL for a device of several scopes, exactly as docs/authentication.md shows it, on a private Mosquitto
 * with passwords: the operator runs the device once to learn its id, lists that id's topics of each of its scopes
 * under its user name, reloads the broker (SIGHUP) and starts the device again. The device then syncs three scopes
 * (one read-only) over one MQTT connection with a WebSocket device writing them; a device of another scope syncs on
 * its own topics; and a client logged in with the first device's password can neither read the other scope's topics
 * nor say HELLO on them.
 */
class MqttAclSidecarIT {
    private static final Duration PATIENCE = Duration.ofSeconds(45);
    private static final String DDL = "CREATE TABLE todos (id TEXT PRIMARY KEY, title TEXT);"
            + "CREATE TABLE projects (id TEXT PRIMARY KEY, name TEXT);"
            + "CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT);"
            + "CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT);";

    @TempDir
    Path dir;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String alice = "alice-" + run;
    private final String team = "team-" + run;
    private final String fleet = "fleet-" + run;
    private final String bob = "bob-" + run;
    private PrivateMosquitto broker;
    private ServerRuntime server;
    private JarProcesses processes;
    private MqttClient thief;

    @AfterEach
    void stop() throws Exception {
        if (thief != null && thief.isConnected()) {
            thief.disconnectForcibly(1000);
        }
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
    void theDocumentedAclConfinesADeviceOfSeveralScopesToItsOwnTopics() throws Exception {
        Path acl = dir.resolve("acl");
        Files.writeString(acl, "user server\ntopic readwrite pocketsync/v1/#\n");
        broker = PrivateMosquitto.start(dir, acl, "server", "server-secret", "phone", "phone-secret", "bob-sensor", "bob-secret");
        Path secret = dir.resolve("jwt.secret");
        Files.writeString(secret, UUID.randomUUID() + "-" + UUID.randomUUID() + "\n");
        server = ServerRuntime.start(ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.JWT_SECRET_FILE, secret.toString(),
                ServerSettings.JWT_AUDIENCE, "pocketsync", ServerSettings.MQTT_URI, broker.uri(),
                "transport.mqtt.username", "server", "transport.mqtt.password", "server-secret")));
        processes = new JarProcesses(dir);
        Path phone = dir.resolve("phone.db");
        Path writer = dir.resolve("writer.db");
        Path sensor = dir.resolve("sensor.db");
        for (Path db : List.of(phone, writer, sensor)) {
            sqlite3(db, DDL);
        }

        // first run: the device installs and says its id; the broker lets it log in but not use any topic yet
        String phoneToken = token(secret, alice, team, fleet + ":r");
        Process first = phone(phone, phoneToken);
        await().atMost(PATIENCE).ignoreExceptions().until(() -> !deviceId(phone).isEmpty());
        String phoneId = deviceId(phone);
        first.destroy();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

        // the operator lists the device's topics of each scope under its user name (docs/authentication.md)
        String sensorToken = token(secret, bob);
        Process firstSensor = sensor(sensor, sensorToken);
        await().atMost(PATIENCE).ignoreExceptions().until(() -> !deviceId(sensor).isEmpty());
        String sensorId = deviceId(sensor);
        firstSensor.destroy();
        assertThat(firstSensor.waitFor(30, TimeUnit.SECONDS)).isTrue();
        StringBuilder lines = new StringBuilder("user server\ntopic readwrite pocketsync/v1/#\n\nuser phone\n");
        for (String scope : List.of(alice, team, fleet)) {
            lines.append("topic write pocketsync/v1/").append(scope).append('/').append(phoneId).append("/up\n");
            lines.append("topic read  pocketsync/v1/").append(scope).append('/').append(phoneId).append("/down\n");
        }
        lines.append("\nuser bob-sensor\ntopic write pocketsync/v1/").append(bob).append('/').append(sensorId).append("/up\n");
        lines.append("topic read  pocketsync/v1/").append(bob).append('/').append(sensorId).append("/down\n");
        Files.writeString(acl, lines.toString());
        broker.reload();

        phone(phone, phoneToken);
        sensor(sensor, sensorToken);
        processes.start("writer", Map.of("POCKETSYNC_TOKEN", token(secret, alice, team, fleet, bob)), "device", "--db",
                writer.toString(), "--table", "todos@" + alice, "--table", "projects@" + team, "--table", "config@" + fleet,
                "--table", "notes@" + bob, "--server", server.webSocketUri().toString(), "--scope", alice);

        // someone with the phone's broker password (a copied config file) listens to bob's scope and tries to join it
        thief = new MqttClient(broker.uri(), "thief-" + run, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName("phone");
        options.setPassword("phone-secret".toCharArray());
        thief.connect(options);
        List<String> overheard = new CopyOnWriteArrayList<>();
        try {
            thief.subscribe("pocketsync/v1/" + bob + "/#", 1, (topic, message) -> overheard.add(topic));
        }
        catch (MqttException refused) {
            // Mosquitto may refuse the subscription outright; either way nothing of bob's scope may arrive
        }
        thief.publish("pocketsync/v1/" + bob + "/" + phoneId + "/up",
                ("{\"type\":\"HELLO\",\"v\":3,\"device\":\"" + phoneId + "\",\"scope\":\"" + bob + "\",\"token\":\"" + phoneToken
                        + "\",\"cursor\":0}").getBytes(StandardCharsets.UTF_8), 1, false);

        sqlite3(writer, "INSERT INTO todos VALUES ('t1', 'from the writer');"
                + "INSERT INTO projects VALUES ('p1', 'team project');"
                + "INSERT INTO config VALUES ('theme', 'dark');"
                + "INSERT INTO notes VALUES ('n1', 'bob only');");
        sqlite3(phone, "INSERT INTO todos (id, title) VALUES ('t2', 'from the phone');");

        await().atMost(PATIENCE).ignoreExceptions().until(() -> sqlite3(phone,
                "SELECT (SELECT title FROM todos WHERE id = 't1') || '|' || (SELECT name FROM projects)"
                        + " || '|' || (SELECT value FROM config);").equals("from the writer|team project|dark"));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> sqlite3(writer, "SELECT title FROM todos WHERE id = 't2';")
                .equals("from the phone"));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> sqlite3(sensor, "SELECT body FROM notes;").equals("bob only"));
        assertThat(processes.log("phone")).contains("Connected to scope " + alice).contains("Connected to scope " + team)
                .contains("Connected to scope " + fleet);

        // bob's scope had traffic on its topics (the sensor got the note over MQTT); the thief heard none of it, and
        // the broker dropped its HELLO before the server could see it
        assertThat(overheard).isEmpty();
        await().atMost(PATIENCE).until(() -> broker.log().contains("Denied PUBLISH from thief-" + run));
        assertThat(sqlite3(phone, "SELECT count(*) FROM notes;")).isEqualTo("0");
    }

    private Process phone(Path db, String token) throws Exception {
        Path config = dir.resolve("phone.properties");
        Files.writeString(config, "transport.mqtt.username=phone\n");
        return processes.start("phone", Map.of("POCKETSYNC_TOKEN", token, "POCKETSYNC_MQTT_PASSWORD", "phone-secret"), "device",
                "--config", config.toString(), "--db", db.toString(), "--table", "todos@" + alice, "--table", "projects@" + team,
                "--table", "config@" + fleet, "--server", broker.uri(), "--scope", alice);
    }

    private Process sensor(Path db, String token) throws Exception {
        Path config = dir.resolve("sensor.properties");
        Files.writeString(config, "transport.mqtt.username=bob-sensor\n");
        return processes.start("sensor", Map.of("POCKETSYNC_TOKEN", token, "POCKETSYNC_MQTT_PASSWORD", "bob-secret"), "device",
                "--config", config.toString(), "--db", db.toString(), "--table", "notes@" + bob, "--server", broker.uri(),
                "--scope", bob);
    }

    private static String deviceId(Path db) throws Exception {
        return sqlite3(db, "SELECT device_id FROM __pocketsync_device_state LIMIT 1;");
    }

    /** A development JWT of {@code pocketsync token --jwt} granting {@code scopes} ({@code NAME} or {@code NAME:r}). */
    private static String token(Path secret, String... scopes) {
        List<String> args = new ArrayList<>(List.of("token", "--jwt", "--secret-file", secret.toString(), "--audience",
                "pocketsync", "--ttl", "1h"));
        for (String scope : scopes) {
            args.add("--scope");
            args.add(scope);
        }
        CliRun issued = CliRun.run(args.toArray(String[]::new));
        assertThat(issued.exitCode()).as("token: %s", issued.err()).isZero();
        return issued.out().strip();
    }
}
