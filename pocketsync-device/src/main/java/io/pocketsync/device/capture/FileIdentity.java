package io.pocketsync.device.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a copied or restored database file from the one a device id was given in.
 *
 * <p>The device id lives inside the file, so an SD-card image flashed twice, a file copied to a second phone or a
 * backup restored over the original gives two devices one id: each would never receive the other's writes (a device
 * is not sent its own), and a restored file would never get back the writes it made after the backup. So the
 * device state also records the file's identity on disk (device and inode numbers, {@code unix:dev}/{@code unix:ino}).
 * A file that opens with another identity is a copy, a restore or a move to another file system: it keeps
 * everything it holds and takes a new device id. Its pending changes keep their change ids, so if the original
 * pushes the same ones the server answers DUPLICATE; from then on each copy receives the other's writes, and a
 * restored file catches up on everything after its cursor, its own former writes included.
 *
 * <p>Where the file system reports no inode (not POSIX), nothing is recorded and nothing is detected; the server's
 * rule for two live sessions with one id then still makes the clash visible.
 */
final class FileIdentity {
    private static final Logger LOG = LoggerFactory.getLogger(FileIdentity.class);

    private FileIdentity() {}

    /**
     * Checks the file behind {@code c} against the identity stored with the device state, giving the device a new id
     * when they differ; call in the install transaction, after the system tables exist.
     *
     * @return the device id to use from now on
     */
    static String check(Connection c, String deviceId) throws SQLException {
        String current = identity(c);
        if (current == null) {
            return deviceId;
        }
        String stored = Sql.queryString(c, "SELECT file_identity FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1");
        if (stored == null) {
            Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET file_identity = ? WHERE id = 1", current);
            return deviceId;
        }
        if (stored.equals(current)) {
            return deviceId;
        }
        Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET device_id = lower(hex(randomblob(16))), file_identity = ?"
                + " WHERE id = 1", current);
        String fresh = Sql.queryString(c, "SELECT device_id FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1");
        LOG.warn("this database file is a copy or a restore of the one device {} ran on (file identity {} was {}): it takes the"
                + " new device id {}, keeps everything it holds, and will receive what the other copy writes", deviceId, current,
                stored, fresh);
        return fresh;
    }

    /** {@code <dev>:<ino>} of the main database file, or null when the file system has none. */
    static @Nullable String identity(Connection c) throws SQLException {
        String file = null;
        try (PreparedStatement list = c.prepareStatement("SELECT file FROM pragma_database_list WHERE name = 'main'");
             ResultSet rs = list.executeQuery()) {
            if (rs.next()) {
                file = rs.getString(1);
            }
        }
        if (file == null || file.isEmpty()) {
            return null; // an in-memory or temporary database
        }
        try {
            Path path = Path.of(file);
            return Files.getAttribute(path, "unix:dev") + ":" + Files.getAttribute(path, "unix:ino");
        }
        catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }
}
