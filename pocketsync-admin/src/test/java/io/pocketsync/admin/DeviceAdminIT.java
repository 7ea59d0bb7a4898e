package io.pocketsync.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketsync.admin.AdminTestServer.Answer;
import io.pocketsync.api.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device calls of the admin API against a real server with real devices on SQLite files over WebSocket. */
class DeviceAdminIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private AdminTestServer server;
    private TestDevice a;
    private TestDevice b;

    @BeforeEach
    void start() {
        server = AdminTestServer.start(dir, "node-devices", "team:team-token");
        a = new TestDevice(dir.resolve("a.db"), server.websocket(), "team", "team-token").start();
        b = new TestDevice(dir.resolve("b.db"), server.websocket(), "team", "team-token").start();
        await().atMost(WAIT).until(() -> a.connected() && b.connected());
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
        server.close();
    }

    private JsonNode device(TestDevice device) {
        return server.get("api/scopes/team/devices/" + device.id());
    }

    @Test
    void aConnectedDeviceShowsItsTransportAddressCursorAndLagAndStaysListedAfterItLeaves() {
        a.execute("INSERT INTO items (id, title) VALUES ('r1', 'one'), ('r2', 'two')");
        await().atMost(WAIT).until(() -> "two".equals(b.title("r2")));

        JsonNode list = server.get("api/scopes/team/devices");
        assertThat(list.path("scope").asText()).isEqualTo("team");
        assertThat(list.path("head").asLong()).isEqualTo(2);
        assertThat(list.path("devices")).hasSize(2);
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode seen = device(b);
            assertThat(seen.path("connected").asBoolean()).isTrue();
            assertThat(seen.path("node").asText()).isEqualTo("node-devices");
            assertThat(seen.path("session").asText()).startsWith("node-devices-");
            assertThat(seen.path("transport").asText()).isEqualTo("websocket");
            assertThat(seen.path("remoteAddress").asText()).contains("127.0.0.1");
            assertThat(seen.path("cursor").asLong()).isEqualTo(2);
            assertThat(seen.path("lag").asLong()).isZero();
            assertThat(seen.path("pushesWaiting").asInt()).isZero();
            assertThat(seen.path("revoked").isNull()).isTrue();
        });
        assertThat(device(a).path("changesReceived").asLong()).isEqualTo(2);

        b.stop();
        a.execute("INSERT INTO items (id, title) VALUES ('r3', 'three')");
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode gone = server.get("api/scopes/team/devices/" + list.path("devices").get(0).path("device").asText());
            assertThat(gone).isNotNull();
            JsonNode offline = server.get("api/scopes/team/devices").path("devices").get(1);
            assertThat(offline.path("connected").asBoolean()).isFalse();
            assertThat(offline.path("lag").asLong()).isEqualTo(1);
            assertThat(offline.path("pushesWaiting").isNull()).isTrue();
            assertThat(Instant.parse(offline.path("lastSeen").asText())).isBefore(Instant.now().plusSeconds(1));
        });
        assertThat(server.call("GET", "api/scopes/team/devices/never-seen", null).status()).isEqualTo(404);
        assertThat(server.call("GET", "api/scopes/other/devices", null).errorCode()).isEqualTo("NOT_FOUND");
    }

    @Test
    void aRevokedDeviceLosesItsSessionIsRefusedUntilAllowedAndThenSyncsAgain() {
        JsonNode revoked = server.post("api/scopes/team/devices/" + a.id() + "/revoke", "{\"reason\":\"lost phone\"}");

        assertThat(revoked.path("sessionsClosed").asInt()).isEqualTo(1);
        assertThat(revoked.path("revoked").path("reason").asText()).isEqualTo("lost phone");
        await().atMost(WAIT).until(() -> a.errors().contains(ErrorCode.DEVICE_REVOKED) && !a.connected());
        a.execute("INSERT INTO items (id, title) VALUES ('while-revoked', 'kept on the device')");
        // it keeps trying and keeps being refused: the write stays pending
        await().atMost(WAIT).until(() -> a.errors().stream().filter(ErrorCode.DEVICE_REVOKED::equals).count() >= 2);
        assertThat(a.connected()).isFalse();
        assertThat(b.title("while-revoked")).isNull();
        assertThat(device(a).path("connected").asBoolean()).isFalse();
        assertThat(server.post("api/scopes/team/devices/" + a.id() + "/revoke", "").path("sessionsClosed").asInt()).isZero();

        JsonNode allowed = server.post("api/scopes/team/devices/" + a.id() + "/allow", null);

        assertThat(allowed.path("wasRevoked").asBoolean()).isTrue();
        assertThat(allowed.path("revoked").isNull()).isTrue();
        await().atMost(WAIT).until(() -> "kept on the device".equals(b.title("while-revoked")));
        assertThat(server.post("api/scopes/team/devices/" + a.id() + "/allow", null).path("wasRevoked").asBoolean()).isFalse();
        Answer unknown = server.call("POST", "api/scopes/team/devices/nobody/allow", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("NOT_FOUND");
    }

    @Test
    void aRevocationSurvivesARestartOfTheServer() {
        String id = a.id();
        server.post("api/scopes/team/devices/" + id + "/revoke", null);
        a.stop();
        b.stop();
        server.close();

        server = AdminTestServer.start(dir, "node-devices", "team:team-token");
        a = new TestDevice(dir.resolve("a.db"), server.websocket(), "team", "team-token").start();

        await().atMost(WAIT).until(() -> a.errors().contains(ErrorCode.DEVICE_REVOKED));
        assertThat(device(a).path("revoked").isObject()).isTrue();
        assertThat(device(a).path("lastSeen").isTextual()).as("its sighting was written at the shutdown").isTrue();
    }

    @Test
    void aConnectedDeviceAskedToResyncPullsTheFullStateAndKeepsItsRows() {
        a.execute("INSERT INTO items (id, title) VALUES ('r1', 'one')");
        await().atMost(WAIT).until(() -> "one".equals(b.title("r1")));
        // a row lost behind the engine's back, with capture off: a catch-up from its cursor would not bring it back
        b.deleteBehindTheEngine("r1");
        assertThat(b.title("r1")).isNull();

        JsonNode asked = server.post("api/scopes/team/devices/" + b.id() + "/resync", "{}");

        assertThat(asked.path("sessionsTold").asInt()).isEqualTo(1);
        await().atMost(WAIT).until(() -> !device(b).path("resyncPending").asBoolean());
        await().atMost(WAIT).until(() -> "one".equals(b.title("r1")));
        assertThat(b.connected()).isTrue();
        a.execute("INSERT INTO items (id, title) VALUES ('r2', 'after')");
        await().atMost(WAIT).until(() -> "after".equals(b.title("r2")));
    }

    @Test
    void aDisconnectedDeviceAskedToResyncDoesSoAtItsNextConnection() {
        a.execute("INSERT INTO items (id, title) VALUES ('r1', 'one')");
        await().atMost(WAIT).until(() -> "one".equals(b.title("r1")));
        b.stop();
        b.deleteBehindTheEngine("r1");

        JsonNode asked = server.post("api/scopes/team/devices/" + b.id() + "/resync", null);

        assertThat(asked.path("sessionsTold").asInt()).isZero();
        assertThat(asked.path("resyncPending").asBoolean()).isTrue();
        b.start();
        await().atMost(WAIT).until(() -> !device(b).path("resyncPending").asBoolean());
        await().atMost(WAIT).until(() -> "one".equals(b.title("r1")));
    }
}
