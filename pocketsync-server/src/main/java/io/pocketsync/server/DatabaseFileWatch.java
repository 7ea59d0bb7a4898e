package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Whether the path a sidecar syncs still names the file it opened. A database file deleted (and perhaps created
 * again) while the sidecar runs would otherwise go unnoticed: the sidecar keeps its handle on the deleted file, and
 * writes to the new one are never synced. The check reads the path's device and inode numbers (as the device's
 * {@code FileIdentity} does): one {@code stat}, cheap enough for every second.
 *
 * <p>Where the file system has no inode numbers, only a missing file is noticed. Not thread-safe.
 */
final class DatabaseFileWatch {
    /** What the path names now, compared with the file that was opened. */
    enum State {
        /** The same file. */
        SAME,
        /** No file at the path (deleted or moved away). */
        MISSING,
        /** Another file (deleted and created again, moved over, restored by copying). */
        REPLACED
    }

    private final Path path;
    /** Null where the file system has no inode numbers. */
    private final String opened;

    /** Remembers what {@code path} names now: call right before the file is opened. */
    DatabaseFileWatch(Path path) {
        this.path = requireNonNull(path, "path is null");
        this.opened = identity(path);
    }

    /** What the path names now. */
    State check() {
        if (!Files.exists(path)) {
            return State.MISSING;
        }
        String now = identity(path);
        return opened == null || now == null || opened.equals(now) ? State.SAME : State.REPLACED;
    }

    /** The identity the watch compares with, for the log: {@code <dev>:<ino>}, or {@code "unknown"}. */
    String opened() {
        return opened == null ? "unknown" : opened;
    }

    /** The identity of what the path names now, for the log. */
    String current() {
        String now = identity(path);
        return now == null ? "none" : now;
    }

    /** Null when there is no file or no inode number. */
    private static String identity(Path path) {
        try {
            return Files.getAttribute(path, "unix:dev") + ":" + Files.getAttribute(path, "unix:ino");
        }
        catch (NoSuchFileException e) {
            return null;
        }
        catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }
}
