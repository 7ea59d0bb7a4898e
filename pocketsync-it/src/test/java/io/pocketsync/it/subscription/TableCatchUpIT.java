package io.pocketsync.it.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.core.codec.JsonCodec;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.it.support.SqliteFiles;
import io.pocketsync.testkit.transport.ForwardingClientTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A table tracked after a device synced arrives on its own, in pages (issue #20, docs/protocol.md 3.8), on both stores
 * and both transports, and what the device receives is counted: B synced a large {@code todo}, then tracks {@code note}
 * too. Not one todo row comes again (no change of it, no byte of it), the notes come in table catch-up pages; B is
 * stopped after the first of those pages (its answers to the next PULLs dropped, as a kill would), restarted, and resumes
 * from the page it applied (its first PULL names that cursor); it already holds a note of its own, pushed as its own
 * new row; A edits and deletes notes meanwhile, which reach B with its main cursor. Both converge.
 */
class TableCatchUpIT {
    private static final Duration PATIENCE = Duration.ofSeconds(45);
    private static final int TODOS = 600;
    private static final int NOTES = 90;
    private static final String TEXT = "x".repeat(300);

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
    void aTableTrackedLaterArrivesAloneInPagesAndResumesAfterAStop(String storeName, String transportName) {
        node = new TwoTableNode(dir, storeName, transportName, "join", 20);

        Path fileA = node.database("a.db");
        Path fileB = node.database("b.db");
        PocketSyncDevice a = node.start(fileA, List.of("todo", "note"), node.client("a"));
        SqliteFiles.execute(fileA, "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ?)"
                + " INSERT INTO todo (id, title) SELECT 't' || i, ? FROM k", TODOS - 1, TEXT);
        SqliteFiles.execute(fileA, "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ?)"
                + " INSERT INTO note (id, body) SELECT 'n' || i, ? FROM k", NOTES - 1, TEXT);
        PocketSyncDevice b = node.start(fileB, List.of("todo"), node.client("b"));
        await().atMost(PATIENCE).until(() -> a.pendingCount() == 0 && SqliteFiles.rows(fileB, "todo").size() == TODOS
                && b.cursor() == a.cursor());
        node.stop(b);

        // B tracks note from now on, and holds a note of its own already; it stops after the first table catch-up page
        SqliteFiles.execute(fileB, "INSERT INTO note (id, body) VALUES ('b-own', 'written before tracking')");
        Recording first = new Recording(node.client("b"), 1);
        PocketSyncDevice b2 = node.start(fileB, List.of("todo", "note"), first);
        await().atMost(PATIENCE).until(() -> first.tablePages() >= 1 && first.droppedTablePages() >= 1);
        node.stop(b2);
        long resumeFrom = first.appliedTableCursor();
        assertThat(resumeFrom).isPositive();

        // meanwhile A edits one note and deletes another
        SqliteFiles.execute(fileA, "UPDATE note SET body = 'edited while B catches up' WHERE id = 'n1'");
        SqliteFiles.execute(fileA, "DELETE FROM note WHERE id = 'n2'");
        Recording later = new Recording(node.client("b"), Integer.MAX_VALUE);
        PocketSyncDevice b3 = node.start(fileB, List.of("todo", "note"), later);
        SqliteFiles.execute(fileA, "UPDATE note SET body = 'edited again' WHERE id = 'n3'");
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(a.pendingCount() + b3.pendingCount()).isZero();
            assertThat(SqliteFiles.rows(fileB, "note")).isEqualTo(SqliteFiles.rows(fileA, "note"));
            assertThat(SqliteFiles.rows(fileB, "todo")).isEqualTo(SqliteFiles.rows(fileA, "todo"));
        });
        assertThat(SqliteFiles.rows(fileA, "note")).hasSize(NOTES); // 90 - n2 + b-own

        List<Message> afterTracking = new ArrayList<>(first.received);
        afterTracking.addAll(later.received);
        assertThat(rowsOf(afterTracking, "todo")).as("todo rows received after tracking note").isZero();
        assertThat(bytesOf(afterTracking, "todo")).as("bytes of todo rows received after tracking note").isZero();
        assertThat(afterTracking).noneMatch(m -> m instanceof Changes c && c.mode() == ChangesMode.SNAPSHOT);
        assertThat(later.tablePages()).as("notes come in table catch-up pages").isGreaterThan(1);
        assertThat(later.firstTablePull()).as("the restart resumes from the page it applied").isEqualTo(resumeFrom);
        assertThat(b3.deadLetters().list()).isEmpty();
        assertThat(b3.checksumStats().rowsRepaired()).as("nothing left for a checksum to heal").isZero();
    }

    private static long rowsOf(List<Message> messages, String table) {
        return messages.stream().filter(m -> m instanceof Changes).flatMap(m -> ((Changes) m).changes().stream())
                .map(Change::table).filter(table::equals).count();
    }

    private static long bytesOf(List<Message> messages, String table) {
        JsonCodec json = new JsonCodec();
        long bytes = 0;
        for (Message message : messages) {
            if (message instanceof Changes changes) {
                List<Change> rows = changes.changes().stream().filter(c -> table.equals(c.table())).toList();
                if (!rows.isEmpty()) {
                    bytes += json.encode(new Changes(changes.protocolVersion(), ChangesMode.CATCH_UP, rows, 0, 0, false, 0))
                            .length;
                }
            }
        }
        return bytes;
    }

    /**
     * A device's transport that keeps what the device received and the cursor of its first table catch-up PULL, and hands
     * it at most {@code tablePagesLet} table catch-up pages (later ones dropped: the device stops there, as if killed).
     */
    private static final class Recording extends ForwardingClientTransport {
        final List<Message> received = new CopyOnWriteArrayList<>();
        private final int tablePagesLet;
        private final List<Long> tablePulls = new CopyOnWriteArrayList<>();
        private final List<Changes> tablePages = new CopyOnWriteArrayList<>();
        private final AtomicBoolean dropping = new AtomicBoolean();
        private volatile int dropped;

        Recording(ClientTransport delegate, int tablePagesLet) {
            super(delegate);
            this.tablePagesLet = tablePagesLet;
        }

        int tablePages() {
            return tablePages.size();
        }

        int droppedTablePages() {
            return dropped;
        }

        long appliedTableCursor() {
            return tablePages.get(tablePagesLet - 1).cursor();
        }

        long firstTablePull() {
            return tablePulls.get(0);
        }

        @Override
        public boolean send(Message message) {
            if (message instanceof Pull pull && pull.tables() != null) {
                tablePulls.add(pull.cursor());
            }
            return super.send(message);
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
                    if (message instanceof Changes changes && changes.tables() != null) {
                        if (tablePages.size() >= tablePagesLet || dropping.get()) {
                            dropping.set(true);
                            dropped++;
                            return;
                        }
                        tablePages.add(changes);
                    }
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
