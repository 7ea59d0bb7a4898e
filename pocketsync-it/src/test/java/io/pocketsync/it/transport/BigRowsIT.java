package io.pocketsync.it.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.transport.ReconnectPolicy;
import io.pocketsync.device.DeviceOptions;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.it.support.Cleanup;
import io.pocketsync.it.support.SqliteFiles;
import io.pocketsync.it.support.SyncNode;
import io.pocketsync.it.support.TestEnv;
import io.pocketsync.it.support.Tokens;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rows far larger than one message (docs/protocol.md, "Fragments"): a 10 MiB BLOB and a 1 MiB multi-byte text written on
 * one device reach another device live and a fresh device by catch-up, byte for byte, over both transports, both
 * encodings and both stores; a row over the maximum is rejected on its device with {@code ROW_TOO_LARGE} and the next
 * write still syncs. The time a 10 MiB BLOB takes from one device to the other is printed (measured, not asserted).
 */
class BigRowsIT {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final int BLOB_BYTES = 10 * 1024 * 1024;
    private static final DeviceOptions FAST_RETRY = new DeviceOptions(Duration.ofMillis(50), 500, 500, Duration.ofSeconds(30),
            new ReconnectPolicy(Duration.ofMillis(100), Duration.ofSeconds(1)));

    @TempDir
    Path dir;
    private final Tokens tokens = new Tokens();
    private final String scope = TestEnv.unique("big");
    private final String topicRoot = TestEnv.uniqueTopicRoot();
    private final String redisPrefix = TestEnv.unique("psit-big");
    private final List<PocketSyncDevice> devices = new ArrayList<>();
    private final List<String> mqttSessions = new ArrayList<>();
    private SyncNode node;

    static Stream<Arguments> setups() {
        return Stream.of(Arguments.of("websocket", "json", "sqlite"), Arguments.of("websocket", "cbor", "redis"),
                Arguments.of("mqtt", "cbor", "sqlite"), Arguments.of("mqtt", "json", "redis"));
    }

    @AfterEach
    void closeAll() {
        devices.forEach(PocketSyncDevice::close);
        Cleanup.afterNode(node, mqttSessions, redisPrefix);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("setups")
    void aTenMebibyteBlobAndAMebibyteOfTextSyncLiveAndByCatchUpAndARowOverTheMaximumIsRejected(String transport, String codec,
            String store) throws Exception {
        SyncNode.Builder builder = SyncNode.builder().authenticator(tokens.authenticator())
                .store(SyncNode.store(store, dir, redisPrefix, "n1"));
        node = (transport.equals("mqtt") ? builder.mqtt(topicRoot) : builder.websocket()).start();
        Path writerFile = dir.resolve("writer.db");
        Path readerFile = dir.resolve("reader.db");
        List<String> writerErrors = new CopyOnWriteArrayList<>();
        PocketSyncDevice writer = device(writerFile, transport, codec);
        writer.onError((code, message) -> writerErrors.add(code + ": " + message));
        device(readerFile, transport, codec);

        // 1 MiB and a bit of UTF-8 mixing 1-, 2-, 3- and 4-byte characters, so fragment boundaries fall inside characters
        String text = "aé€𝄞".repeat(104_858);
        long started = System.nanoTime();
        execute(writerFile, "INSERT INTO files (id, body) VALUES ('blob', randomblob(" + BLOB_BYTES + "))");
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20)).until(() -> digest(readerFile, "blob") != null);
        long blobMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("BigRowsIT %s/%s/%s: 10 MiB BLOB device to device in %d ms%n", transport, codec, store, blobMillis);
        assertThat(digest(readerFile, "blob")).isEqualTo(digest(writerFile, "blob"));

        execute(writerFile, "INSERT INTO files (id, note) VALUES ('text', ?)", text);
        await().atMost(PATIENCE).until(() -> text.equals(note(readerFile, "text")));

        // a fresh device gets both by catch-up (one row per page: each is over the page budget)
        Path freshFile = dir.resolve("fresh.db");
        device(freshFile, transport, codec);
        await().atMost(PATIENCE).until(() -> text.equals(note(freshFile, "text")) && digest(freshFile, "blob") != null);
        assertThat(digest(freshFile, "blob")).isEqualTo(digest(writerFile, "blob"));

        // over the 16 MiB row maximum by the id column: refused at once on the writer, and the queue goes on
        execute(writerFile, "INSERT INTO files (id, body) VALUES ('huge', randomblob(16777216))");
        execute(writerFile, "INSERT INTO files (id, note) VALUES ('after', 'small write after the huge one')");
        await().atMost(PATIENCE).until(() -> "small write after the huge one".equals(note(readerFile, "after")));
        assertThat(writerErrors).anySatisfy(error -> assertThat(error).startsWith(ErrorCode.ROW_TOO_LARGE.name())
                .contains("the server takes rows of at most 16777216"));
        assertThat(digest(readerFile, "huge")).isNull();
        assertThat(query(writerFile, "SELECT count(*) FROM __pocketsync_changes WHERE state = 'rejected'")).isEqualTo("1");
        await().atMost(PATIENCE).until(() -> writer.pendingCount() == 0);
    }

    private PocketSyncDevice device(Path file, String transport, String codec) {
        execute(file, "CREATE TABLE IF NOT EXISTS files (id TEXT PRIMARY KEY, body BLOB, note TEXT)");
        boolean mqtt = transport.equals("mqtt");
        URI server = mqtt ? URI.create(TestEnv.mqttUri()) : node.websocketUri();
        Map<String, String> config = mqtt ? Map.of("topic-root", topicRoot, "codec", codec, "reconnect-initial-delay", "100ms",
                "reconnect-max-delay", "1s") : Map.of("codec", codec, "reconnect-initial-delay", "100ms", "reconnect-max-delay", "1s");
        PocketSyncDevice device = PocketSyncDevice.builder().database(file).tables(List.of("files")).scope(scope)
                .token(tokens.forScope(scope)).server(server).transport(transport, PluginConfig.of("transport." + transport, config))
                .options(FAST_RETRY).build();
        devices.add(device);
        device.start();
        if (mqtt) {
            mqttSessions.add("ps:" + scope + ":" + device.deviceId());
        }
        return device;
    }

    private static void execute(Path file, String sql, Object... args) {
        SqliteFiles.execute(file, sql, args);
    }

    /** SHA-256 and length of the row's BLOB, or null when the row is not there. */
    private static String digest(Path file, String id) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
             PreparedStatement statement = connection.prepareStatement("SELECT body FROM files WHERE id = ?")) {
            statement.setString(1, id);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return null;
                }
                byte[] body = rows.getBytes(1);
                return body == null ? "null" : body.length + ":" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(body));
            }
        }
    }

    private static String note(Path file, String id) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
             PreparedStatement statement = connection.prepareStatement("SELECT note FROM files WHERE id = ?")) {
            statement.setString(1, id);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    private static String query(Path file, String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
             PreparedStatement statement = connection.prepareStatement(sql); ResultSet rows = statement.executeQuery()) {
            return rows.next() ? rows.getString(1) : null;
        }
    }
}
