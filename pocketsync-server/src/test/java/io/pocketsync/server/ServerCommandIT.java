package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.device.PocketSyncDevice;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code pocketsync server} in-process and syncs two real devices through it. */
class ServerCommandIT {
    @TempDir
    Path dir;

    private PocketSyncDevice device(Path db, int port, String scope, String token) {
        return PocketSyncDevice.builder().database(db).tables("todo")
                .server(URI.create("ws://127.0.0.1:" + port + "/sync")).scope(scope).token(token)
                .transport("websocket").build();
    }

    @Test
    void serverCommandSyncsTwoDevicesAndServesMetrics() throws Exception {
        int port = TestPorts.freePort();
        int metricsPort = TestPorts.freePort();
        String scope = "it-" + UUID.randomUUID();
        ShutdownSignal signal = new ShutdownSignal();
        CompletableFuture<CliRun> run = CliRun.async(signal, "server",
                "--port", Integer.toString(port), "--db", dir.resolve("server.db").toString(),
                "--token", scope + ":secret-1", "--metrics-port", Integer.toString(metricsPort));
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> TestPorts.healthy(metricsPort) || run.isDone());
            assertThat(run).isNotDone();

            Path laptopDb = dir.resolve("laptop.db");
            Path phoneDb = dir.resolve("phone.db");
            TestDatabases.createTodo(laptopDb);
            TestDatabases.createTodo(phoneDb);
            try (PocketSyncDevice laptop = device(laptopDb, port, scope, "secret-1");
                    PocketSyncDevice phone = device(phoneDb, port, scope, "secret-1")) {
                laptop.start();
                phone.start();
                TestDatabases.execute(laptopDb, "INSERT INTO todo (id, title) VALUES ('a', 'from the laptop')");

                await().atMost(Duration.ofSeconds(20)).until(() -> "from the laptop".equals(TestDatabases.title(phoneDb, "a")));
            }

            HttpResponse<String> metrics = TestPorts.get(metricsPort, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains(
                    "pocketsync_devices_connected{transport=\"websocket\"}",
                    "pocketsync_changes_ingested_total",
                    "pocketsync_changes_applied_total",
                    "pocketsync_changes_superseded_total",
                    "pocketsync_broadcast_fanout",
                    "pocketsync_store_latency_seconds",
                    "pocketsync_catchup_lag_sequences",
                    "pocketsync_sessions_opened_total");
            assertThat(metrics.body()).containsPattern("pocketsync_changes_applied_total [1-9]");
            // a series per error code appears with its first rejection: no placeholder series before
            assertThat(metrics.body()).doesNotContain("pocketsync_changes_rejected_total{");
        }
        finally {
            signal.requestStop();
        }
        CliRun result = run.get(30, TimeUnit.SECONDS);
        assertThat(result.exitCode()).isZero();
        assertThat(signal.awaitStopped(Duration.ofSeconds(1))).isTrue();
        assertThat(TestPorts.healthy(metricsPort)).isFalse();
    }

    @Test
    void hmacSecretFileAcceptsTokensFromTheTokenCommand() throws Exception {
        Path secret = dir.resolve("hmac.secret");
        java.nio.file.Files.writeString(secret, "a-server-secret-of-enough-bytes\n");
        String scope = "hmac-" + UUID.randomUUID();
        CliRun issued = CliRun.run("token", "--hmac-secret-file", secret.toString(), "--scope", scope, "--ttl", "1h");
        assertThat(issued.exitCode()).as(issued.err()).isZero();
        String token = issued.out().strip();
        CliRun forged = CliRun.run("token", "--hmac-secret-file", secret.toString(), "--scope", "someone-else");

        ServerSettings settings = ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(),
                ServerSettings.HMAC_SECRET_FILE, secret.toString()));
        Path laptopDb = dir.resolve("laptop.db");
        Path phoneDb = dir.resolve("phone.db");
        Path intruderDb = dir.resolve("intruder.db");
        TestDatabases.createTodo(laptopDb);
        TestDatabases.createTodo(phoneDb);
        TestDatabases.createTodo(intruderDb);
        try (ServerRuntime server = ServerRuntime.start(settings);
                PocketSyncDevice laptop = device(laptopDb, server.webSocketUri().getPort(), scope, token);
                PocketSyncDevice phone = device(phoneDb, server.webSocketUri().getPort(), scope, token);
                // A valid token of another scope does not open this one.
                PocketSyncDevice intruder = device(intruderDb, server.webSocketUri().getPort(), scope, forged.out().strip())) {
            laptop.start();
            phone.start();
            intruder.start();
            TestDatabases.execute(laptopDb, "INSERT INTO todo (id, title) VALUES ('h', 'signed')");

            await().atMost(Duration.ofSeconds(20)).until(() -> "signed".equals(TestDatabases.title(phoneDb, "h")));
            await().atMost(Duration.ofSeconds(20)).until(() -> server.metrics().registry()
                    .find("pocketsync.sessions.refused").counters().stream().mapToDouble(c -> c.count()).sum() > 0);
            assertThat(TestDatabases.title(intruderDb, "h")).isNull();
        }
    }

    @Test
    void perTableResolverFlagIsWired() throws Exception {
        int port = TestPorts.freePort();
        String scope = "resolver-" + UUID.randomUUID();
        ShutdownSignal signal = new ShutdownSignal();
        CompletableFuture<CliRun> run = CliRun.async(signal, "server",
                "--port", Integer.toString(port), "--db", dir.resolve("server.db").toString(),
                "--token", scope + ":t", "--resolver", "todo=server-wins");
        Path laptopDb = dir.resolve("laptop.db");
        Path phoneDb = dir.resolve("phone.db");
        TestDatabases.createTodo(laptopDb);
        TestDatabases.createTodo(phoneDb);
        try (PocketSyncDevice laptop = device(laptopDb, port, scope, "t");
                PocketSyncDevice phone = device(phoneDb, port, scope, "t")) {
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                    return true;
                }
                catch (java.io.IOException e) {
                    return run.isDone();
                }
            });
            laptop.start();
            phone.start();
            TestDatabases.execute(laptopDb, "INSERT INTO todo (id, title) VALUES ('r', 'first')");
            await().atMost(Duration.ofSeconds(20)).until(() -> "first".equals(TestDatabases.title(phoneDb, "r")));

            // server-wins keeps the stored row: the phone's later edit is superseded and rolled back on the phone.
            TestDatabases.execute(phoneDb, "UPDATE todo SET title = 'second' WHERE id = 'r'");
            await().atMost(Duration.ofSeconds(20)).until(() -> phone.pendingCount() == 0
                    && "first".equals(TestDatabases.title(phoneDb, "r")));
            assertThat(TestDatabases.title(laptopDb, "r")).isEqualTo("first");
        }
        finally {
            signal.requestStop();
        }
        assertThat(run.get(30, TimeUnit.SECONDS).exitCode()).isZero();
    }

    @Test
    void refusesToStartWithoutCredentials() {
        CliRun run = CliRun.run("server", "--port", Integer.toString(TestPorts.freePort()),
                "--db", dir.resolve("server.db").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines()[0]).contains("--token", "--hmac-secret-file", "--allow-anonymous");
    }

    @Test
    void unknownStoreNamesTheAvailableOnes() {
        CliRun run = CliRun.run("server", "--store", "postgres", "--allow-anonymous",
                "--port", Integer.toString(TestPorts.freePort()));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines()[0]).contains("postgres", "sqlite", "redis");
    }

    @Test
    void unknownPluginKeyIsCaughtByThePlugin() throws Exception {
        Path config = dir.resolve("server.properties");
        java.nio.file.Files.writeString(config, "transport.websocket.prot = 9000\n");

        CliRun run = CliRun.run("server", "--config", config.toString(), "--allow-anonymous",
                "--db", dir.resolve("server.db").toString(), "--port", Integer.toString(TestPorts.freePort()));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly(
                "pocketsync: unknown configuration key 'transport.websocket.prot'; did you mean 'transport.websocket.port'? [CONFIG_INVALID]");
    }
}
