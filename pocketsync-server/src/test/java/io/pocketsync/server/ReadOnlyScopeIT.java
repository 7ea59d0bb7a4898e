package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.device.PocketSyncDevice;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read-only grants (issue #20, 3) as a user sets them up: {@code pocketsync token --jwt} issues an {@code rw} token and an
 * {@code r} token of one scope for a server started with the same secret. The writer's rows reach the reader (over MQTT);
 * the reader's own edits, insert and delete are refused ({@code SCOPE_READ_ONLY}), reported, and reverted in its file to the
 * server's state; none reaches the writer.
 */
class ReadOnlyScopeIT {
    private static final String MQTT = Optional.ofNullable(System.getenv("PS_MQTT_URI")).orElse("tcp://127.0.0.1:1883");
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aReadOnlyDeviceReceivesTheScopeAndItsWritesAreRefusedAndReverted() throws Exception {
        String scope = "ro-" + UUID.randomUUID();
        Path secret = dir.resolve("jwt.secret");
        Files.writeString(secret, "a-jwt-secret-of-at-least-thirty-two-bytes\n");
        String writerToken = issue(secret, scope + ":rw");
        String readerToken = issue(secret, scope + ":r");

        Path writerDb = dir.resolve("writer.db");
        Path readerDb = dir.resolve("reader.db");
        TestDatabases.createTodo(writerDb);
        TestDatabases.createTodo(readerDb);
        JwtAuthIT.Recorder heard = new JwtAuthIT.Recorder();
        try (ServerRuntime server = ServerRuntime.start(ServerSettings.of(Map.of(
                ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(),
                ServerSettings.MQTT_URI, MQTT,
                ServerSettings.JWT_SECRET_FILE, secret.toString(),
                ServerSettings.JWT_AUDIENCE, "pocketsync-ro-it")));
                PocketSyncDevice writer = PocketSyncDevice.builder().database(writerDb).tables("todo").server(server.webSocketUri())
                        .scope(scope).token(writerToken).transport("websocket").build();
                PocketSyncDevice reader = PocketSyncDevice.builder().database(readerDb).tables("todo").server(URI.create(MQTT))
                        .scope(scope).token(readerToken).transport("mqtt").statusListener(heard).build()) {
            writer.start();
            reader.start();
            TestDatabases.execute(writerDb, "INSERT INTO todo (id, title) VALUES ('a', 'from the writer')");
            TestDatabases.execute(writerDb, "INSERT INTO todo (id, title) VALUES ('b', 'to be deleted by the reader')");
            await().atMost(PATIENCE).until(() -> "from the writer".equals(TestDatabases.title(readerDb, "a"))
                    && TestDatabases.title(readerDb, "b") != null);
            // WELCOME told each device its grant (protocol 4): an app can grey out the reader's edits
            assertThat(reader.grant(scope)).isEqualTo(io.pocketsync.api.auth.Grant.READ_ONLY);
            assertThat(reader.status(scope).isReadOnly()).isTrue();
            assertThat(writer.grant(scope)).isEqualTo(io.pocketsync.api.auth.Grant.READ_WRITE);

            TestDatabases.execute(readerDb, "UPDATE todo SET title = 'edited by the reader' WHERE id = 'a'");
            TestDatabases.execute(readerDb, "INSERT INTO todo (id, title) VALUES ('r', 'inserted by the reader')");
            TestDatabases.execute(readerDb, "DELETE FROM todo WHERE id = 'b'");

            // refused, reported, and put back to the server's state in the reader's file
            await().atMost(PATIENCE).until(() -> heard.errors.stream().filter(ErrorCode.SCOPE_READ_ONLY::equals).count() >= 3);
            await().atMost(PATIENCE).until(() -> "from the writer".equals(TestDatabases.title(readerDb, "a"))
                    && TestDatabases.title(readerDb, "r") == null
                    && "to be deleted by the reader".equals(TestDatabases.title(readerDb, "b"))
                    && reader.pendingCount() == 0);
            assertThat(heard.messages).anyMatch(message -> message.contains("put back to the server's state"));
            assertThat(heard.messages).anyMatch(message -> message.contains("removed here"));

            // the writer's later writes still reach the reader, and nothing of the reader's reached the writer
            TestDatabases.execute(writerDb, "UPDATE todo SET title = 'the writer again' WHERE id = 'a'");
            await().atMost(PATIENCE).until(() -> "the writer again".equals(TestDatabases.title(readerDb, "a")));
            assertThat(TestDatabases.title(writerDb, "r")).isNull();
            assertThat(TestDatabases.title(writerDb, "b")).isEqualTo("to be deleted by the reader");
            assertThat(TestDatabases.title(writerDb, "a")).isEqualTo("the writer again");
        }
    }

    private static String issue(Path secret, String scope) {
        CliRun issued = CliRun.run("token", "--jwt", "--secret-file", secret.toString(), "--scope", scope,
                "--audience", "pocketsync-ro-it", "--ttl", "1h");
        assertThat(issued.exitCode()).as(issued.err()).isZero();
        return issued.out().strip();
    }
}
