package io.pocketsync.examples.deviceapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.device.PocketSyncDevice;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The app works with no server: its notes are written, captured and kept pending for a later push. */
class DeviceAppTest {
    @TempDir
    Path dir;

    @Test
    void notesWrittenWithoutAServerArePending() throws Exception {
        try (PocketSyncDevice device = DeviceApp.open(dir.resolve("notes.db"), nowhere(), "alice", "s3cret")) {
            device.start();
            DeviceApp.addNote(device, "written offline");

            await().untilAsserted(() -> assertThat(device.pendingCount()).isEqualTo(1));
            assertThat(noteCount(device)).isEqualTo(1);
        }
    }

    private static int noteCount(PocketSyncDevice device) throws SQLException {
        try (Connection connection = device.connection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM notes")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** A WebSocket URI on a loopback port nobody listens on. */
    private static URI nowhere() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("ws://127.0.0.1:" + socket.getLocalPort() + "/sync");
        }
    }
}
