package io.pocketsync.testkit.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for one test, to run a store out of disk space for real: {@link #fill()} writes a filler file
 * until the filesystem is full, {@link #free()} deletes it. Needs root (the build runs as root locally and in CI); a
 * mount that fails says why instead of skipping. {@link #close()} unmounts. Not thread-safe.
 */
public final class SmallFilesystem implements AutoCloseable {
    private static final int CHUNK = 16 * 1024;

    private final Path dir;
    private final Path filler;

    private SmallFilesystem(Path dir) {
        this.dir = dir;
        this.filler = dir.resolve("filler.bin");
    }

    /**
     * Mounts a tmpfs of {@code size} on {@code dir} (created if missing).
     *
     * @param dir an empty directory of the test's own, e.g. under its {@code @TempDir}
     * @param size a tmpfs size such as {@code 2m}
     * @return the mounted filesystem
     * @throws IOException when {@code mount} fails, with its output
     */
    public static SmallFilesystem mount(Path dir, String size) throws IOException {
        requireNonNull(dir, "dir is null");
        requireNonNull(size, "size is null");
        Files.createDirectories(dir);
        run(List.of("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toAbsolutePath().toString()),
                "mounting a " + size + " tmpfs needs root");
        return new SmallFilesystem(dir);
    }

    /**
     * The mount point.
     *
     * @return the directory the tmpfs is mounted on
     */
    public Path dir() {
        return dir;
    }

    /**
     * Writes a filler file until the filesystem has no space left.
     *
     * @return the bytes written
     * @throws IOException when writing fails for another reason than a full filesystem
     */
    public long fill() throws IOException {
        byte[] chunk = new byte[CHUNK];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (int size = CHUNK; size > 0; size /= 2) {
                try {
                    while (true) {
                        out.write(chunk, 0, size);
                        out.flush();
                        written += size;
                    }
                }
                catch (IOException e) {
                    if (!String.valueOf(e.getMessage()).contains("No space left")) {
                        throw e;
                    }
                }
            }
        }
        catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
        return written;
    }

    /**
     * Deletes the filler file: the space is free again.
     *
     * @throws IOException when deleting fails
     */
    public void free() throws IOException {
        Files.deleteIfExists(filler);
    }

    /** Unmounts (lazily when something still holds a file open, so the test's directory can go). */
    @Override
    public void close() throws IOException {
        String path = dir.toAbsolutePath().toString();
        try {
            run(List.of("umount", path), "unmounting " + path);
        }
        catch (IOException e) {
            run(List.of("umount", "-l", path), "unmounting " + path + " lazily");
        }
    }

    private static void run(List<String> command, String what) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(what + ": " + String.join(" ", command) + " did not finish");
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + ": interrupted", e);
        }
        if (process.exitValue() != 0) {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            throw new IOException(what + ": " + String.join(" ", command) + " exited with " + process.exitValue() + ": " + output);
        }
    }
}
