package io.pocketsync.examples.todo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the example end to end over a real WebSocket on loopback and checks what it claims. */
class TodoSyncExampleIT {
    @TempDir
    Path dir;

    @Test
    void bothDevicesEndIdenticalAndWatchesSawTheRemoteChanges() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        TodoSyncExample.Outcome outcome;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            outcome = TodoSyncExample.run(dir, out);
        }

        assertThat(outcome.laptop()).isEqualTo(outcome.phone());
        assertThat(outcome.laptop()).extracting(Todo::title, Todo::done).containsExactly(
                org.assertj.core.groups.Tuple.tuple("buy milk", true),
                org.assertj.core.groups.Tuple.tuple("pay rent", true),
                org.assertj.core.groups.Tuple.tuple("water plants", false));
        // the files themselves, sync ids included, after every connection was closed
        assertThat(rows(dir.resolve("laptop.db"))).isEqualTo(rows(dir.resolve("phone.db"))).hasSize(3);

        assertThat(outcome.laptopEvents()).contains("todo 'call mom' added", "todo 'buy milk' completed",
                "todo 'pay rent' added");
        assertThat(outcome.phoneEvents()).contains("todo 'buy milk' added", "todo 'call mom' deleted",
                "todo 'water plants' added");
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("[phone] remote: todo 'buy milk' added")
                .contains("[laptop] remote: todo 'buy milk' completed");
    }

    private static List<String> rows(Path file) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                ResultSet rs = connection.createStatement()
                        .executeQuery("SELECT id, title, done, ps_global_id FROM todos ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getInt(3) + "|" + rs.getString(4));
            }
        }
        return rows;
    }
}
