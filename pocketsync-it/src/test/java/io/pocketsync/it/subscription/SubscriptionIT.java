package io.pocketsync.it.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.core.codec.JsonCodec;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.it.support.SqliteFiles;
import io.pocketsync.testkit.transport.ForwardingClientTransport;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Table subscriptions as a user meets them (issue #20 item 1), on both stores and both transports: device A tracks
 * {@code todo} and {@code note}, device B only {@code todo}. B never receives a note (no change, no checksum, and the
 * bytes it gets are a fraction of the notes written), parks no dead letter and converges on {@code todo}; then B
 * tracks {@code note} too and gets the table's current state in table catch-up pages (and no todo again), and converges
 * on both. {@link TableCatchUpIT} counts that catch-up in detail.
 */
class SubscriptionIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final int NOTES = 120;
    private static final String NOTE_BODY = "n".repeat(1000);

    @TempDir
    Path dir;
    private TwoTableNode node;

    @AfterEach
    void closeAll() {
        if (node != null) {
            node.close();
        }
    }

    @ParameterizedTest(name = "{0} store, {1}")
    @CsvSource({"sqlite, websocket", "sqlite, mqtt", "redis, websocket", "redis, mqtt"})
    void aDeviceReceivesOnlyTheTablesItTracks(String storeName, String transportName) {
        node = new TwoTableNode(dir, storeName, transportName, "subs", 25);

        Path fileA = node.database("a.db");
        Path fileB = node.database("b.db");
        PocketSyncDevice a = node.start(fileA, List.of("todo", "note"), new Recording(node.client("a")));
        Recording heardByB = new Recording(node.client("b"));
        PocketSyncDevice b = node.start(fileB, List.of("todo"), heardByB);

        // live: B is online while A writes
        for (int i = 0; i < NOTES / 2; i++) {
            SqliteFiles.execute(fileA, "INSERT INTO note (id, body) VALUES (?, ?)", "n" + i, NOTE_BODY);
        }
        SqliteFiles.execute(fileA, "INSERT INTO todo (id, title) VALUES ('t1', 'milk')");
        await().atMost(PATIENCE).until(() -> "milk".equals(title(fileB, "t1")) && b.cursor() == a.cursor() && a.pendingCount() == 0);

        // catch-up: B is away while A writes more
        node.stop(b);
        for (int i = NOTES / 2; i < NOTES; i++) {
            SqliteFiles.execute(fileA, "INSERT INTO note (id, body) VALUES (?, ?)", "n" + i, NOTE_BODY);
        }
        SqliteFiles.execute(fileA, "INSERT INTO todo (id, title) VALUES ('t2', 'bread')");
        SqliteFiles.execute(fileA, "UPDATE todo SET title = 'oat milk' WHERE id = 't1'");
        await().atMost(PATIENCE).until(() -> a.pendingCount() == 0);
        PocketSyncDevice b2 = node.start(fileB, List.of("todo"), heardByB.again(node.client("b")));
        await().atMost(PATIENCE).until(() -> "bread".equals(title(fileB, "t2")) && b2.cursor() == a.cursor());

        assertThat(heardByB.noteChanges()).as("note changes B received").isZero();
        assertThat(heardByB.checksumTables()).doesNotContain("note");
        // the notes alone are 120 KB; all B got, todos, WELCOMEs and empty LIVE ranges included, is a small part of it
        assertThat(heardByB.bytes()).as("bytes B received").isLessThan(NOTES * NOTE_BODY.length() / 5);
        assertThat(b2.deadLetters().list()).isEmpty();
        assertThat(count(fileB, "note")).as("notes on B, which does not track them").isZero();
        assertThat(SqliteFiles.rows(fileB, "todo")).isEqualTo(SqliteFiles.rows(fileA, "todo"));

        // B tracks note from now on: the table's current state arrives in pages
        SqliteFiles.execute(fileB, "INSERT INTO note (id, body) VALUES ('b-own', 'written before tracking')");
        node.stop(b2);
        Recording heardLater = new Recording(node.client("b"));
        PocketSyncDevice b3 = node.start(fileB, List.of("todo", "note"), heardLater);
        SqliteFiles.execute(fileA, "UPDATE note SET body = 'changed while B catches up' WHERE id = 'n0'");
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(a.pendingCount() + b3.pendingCount()).isZero();
            assertThat(SqliteFiles.rows(fileB, "note")).isEqualTo(SqliteFiles.rows(fileA, "note"));
            assertThat(SqliteFiles.rows(fileB, "todo")).isEqualTo(SqliteFiles.rows(fileA, "todo"));
        });
        assertThat(SqliteFiles.rows(fileA, "note")).hasSize(NOTES + 1);
        assertThat(heardLater.tablePagesWithNotes()).as("table catch-up pages that brought notes").isGreaterThan(1);
        assertThat(heardLater.todoChanges()).as("todo rows sent again").isZero();
        assertThat(b3.deadLetters().list()).isEmpty();
    }

    private static long count(Path file, String table) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement statement = c.createStatement();
                ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + table)) {
            return rs.getLong(1);
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String title(Path file, String id) {
        return SqliteFiles.rows(file, "todo").stream().filter(r -> id.equals(r.get("id"))).map(r -> (String) r.get("title"))
                .findFirst().orElse(null);
    }

    /** A device's transport that keeps what the device received, and its size as JSON. */
    private static final class Recording extends ForwardingClientTransport {
        private static final JsonCodec JSON = new JsonCodec();
        private final List<Message> received;

        Recording(ClientTransport delegate) {
            this(delegate, new CopyOnWriteArrayList<>());
        }

        private Recording(ClientTransport delegate, List<Message> received) {
            super(delegate);
            this.received = received;
        }

        /** Another transport for the device's next start (a closed one does not start again), recording into this list. */
        Recording again(ClientTransport next) {
            return new Recording(next, received);
        }

        long bytes() {
            return received.stream().mapToLong(m -> JSON.encode(m).length).sum();
        }

        long noteChanges() {
            long notes = 0;
            for (Message message : received) {
                if (message instanceof Changes changes) {
                    notes += changes.changes().stream().map(Change::table).filter("note"::equals).count();
                }
                if (message instanceof Checksums sums) {
                    notes += sums.rows().stream().map(Change::table).filter("note"::equals).count();
                }
            }
            return notes;
        }

        List<String> checksumTables() {
            List<String> tables = new ArrayList<>();
            for (Message message : received) {
                if (message instanceof Checksums sums) {
                    sums.tables().forEach(t -> tables.add(t.table()));
                }
                if (message instanceof Changes changes && changes.checksums() != null) {
                    changes.checksums().tables().forEach(t -> tables.add(t.table()));
                }
            }
            return tables;
        }

        long tablePagesWithNotes() {
            return received.stream().filter(m -> m instanceof Changes c && c.tables() != null
                    && c.changes().stream().anyMatch(ch -> "note".equals(ch.table()))).count();
        }

        long todoChanges() {
            return received.stream().filter(m -> m instanceof Changes).flatMap(m -> ((Changes) m).changes().stream())
                    .filter(c -> "todo".equals(c.table())).count();
        }

        @Override
        protected Listener listening(Listener device) {
            return new Listener() {
                @Override
                public void onConnected() {
                    device.onConnected();
                }

                @Override
                public void onMessage(Message message) {
                    received.add(message);
                    device.onMessage(message);
                }

                @Override
                public void onDisconnected(ErrorCode code, String reason) {
                    device.onDisconnected(code, reason);
                }
            };
        }
    }
}
