package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.pocketsync.device.PocketSyncDevice;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sockets that never say HELLO (issue #21, 3), against {@code pocketsync server} over real loopback sockets: 300 silent
 * ones (150 that never send the WebSocket upgrade, 150 upgraded that never send HELLO) are all closed by the server once
 * the handshake timeout passes, and one address cannot hold more pending handshakes than its bound while a device
 * elsewhere still syncs.
 */
class SilentSocketsIT {
    @TempDir
    Path dir;

    @Test
    void threeHundredSilentSocketsAreClosedOnceTheHandshakeTimeoutPasses() throws Exception {
        String scope = "silent-" + UUID.randomUUID();
        // bounds raised out of the way: only the timeout acts here
        try (ServerRuntime server = ServerRuntime.start(settings(scope, "1s", "1000"));
                SilentSockets silent = new SilentSockets()) {
            URI uri = server.webSocketUri();
            List<Socket> neverUpgraded = new ArrayList<>();
            List<Socket> neverSaidHello = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                neverUpgraded.add(silent.tcp(uri, "127.0.0.1"));
                neverSaidHello.add(silent.upgraded(uri, "127.0.0.1"));
            }
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(SilentSockets.closedCount(neverUpgraded)).isEqualTo(150);
                assertThat(SilentSockets.closedCount(neverSaidHello)).isEqualTo(150);
            });
            assertThat(refused(server, "TIMEOUT")).as("upgraded sockets closed by the engine with ERROR TIMEOUT").isEqualTo(150);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.server().sessionCount() == 0);
        }
    }

    @Test
    void oneAddressHoldsNoMoreThanItsBoundOfPendingHandshakesWhileOtherDevicesSync() throws Exception {
        String scope = "pending-" + UUID.randomUUID();
        // a bound of 10 (the default is 64: fewer sockets stay well inside the listen backlog, so the kernel hands every
        // one to the server at once), and a timeout long enough that only the bound acts
        try (ServerRuntime server = ServerRuntime.start(settings(scope, "30s", "10"));
                SilentSockets silent = new SilentSockets()) {
            URI uri = server.webSocketUri();
            List<Socket> tcp = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                tcp.add(silent.tcp(uri, "127.0.0.2"));
            }
            // 30 s, not 10: on a loaded 2-core machine the server's accepts of 25 sockets can lag for seconds
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(SilentSockets.closedCount(tcp))
                    .as("sockets of 127.0.0.2 the server closed over its bound of 10").isEqualTo(15));

            List<Socket> upgraded = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                upgraded.add(silent.upgraded(uri, "127.0.0.3"));
            }
            Socket overTheBound = silent.upgraded(uri, "127.0.0.3");
            await().atMost(Duration.ofSeconds(30)).until(() -> SilentSockets.closedByServer(overTheBound));
            assertThat(refused(server, "TIMEOUT")).isEqualTo(1);
            assertThat(SilentSockets.closedCount(upgraded)).isZero();
            assertThat(SilentSockets.closedCount(tcp)).as("the first 10 still wait, within their timeout").isEqualTo(15);

            // a device of another address is not held up
            Path db = dir.resolve("device.db");
            Path peerDb = dir.resolve("peer.db");
            TestDatabases.createTodo(db);
            TestDatabases.createTodo(peerDb);
            try (PocketSyncDevice device = device(db, uri, scope); PocketSyncDevice peer = device(peerDb, uri, scope)) {
                device.start();
                peer.start();
                TestDatabases.execute(db, "INSERT INTO todo (id, title) VALUES ('a', 'through the crowd')");
                await().atMost(Duration.ofSeconds(20)).until(() -> "through the crowd".equals(TestDatabases.title(peerDb, "a")));
            }
        }
    }

    private ServerSettings settings(String scope, String timeout, String bound) {
        return ServerSettings.of(Map.of(
                ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(),
                ServerSettings.TOKENS, scope + ":tok",
                "server.handshake-timeout", timeout,
                "server.max-pending-handshakes-per-address", bound,
                "transport.websocket.handshake-timeout", timeout,
                "transport.websocket.max-pending-handshakes-per-address", bound));
    }

    private static PocketSyncDevice device(Path db, URI server, String scope) {
        return PocketSyncDevice.builder().database(db).tables("todo").server(server).scope(scope).token("tok")
                .transport("websocket").build();
    }

    private static double refused(ServerRuntime server, String code) {
        Counter counter = server.metrics().registry().find("pocketsync.sessions.refused").tag("code", code).counter();
        return counter == null ? 0 : counter.count();
    }
}
