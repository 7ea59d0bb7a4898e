package io.pocketsync.store.sqlite;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The soft file size limit (RLIMIT_FSIZE) of this JVM, set with {@code prlimit} while it runs: a write past the limit
 * fails with EFBIG (the JVM ignores SIGXFSZ), which SQLite reports as SQLITE_IOERR_WRITE. A real write error from the
 * kernel, for a test that cannot fail a disk (no device-mapper here) and must not restart the process. {@link #close()}
 * puts the limit back; it covers every file this process writes, so hold it briefly. Not thread-safe.
 */
final class FileSizeLimit implements AutoCloseable {
    private static final long PID = ProcessHandle.current().pid();

    private final String before;

    private FileSizeLimit(String before) {
        this.before = before;
    }

    /**
     * Limits the files of this process to {@code bytes}.
     *
     * @param bytes the largest offset a write may reach
     * @return the limit, to close
     * @throws IOException when {@code prlimit} fails, with its output
     */
    static FileSizeLimit of(long bytes) throws IOException {
        String soft = prlimit("--fsize", "--output=SOFT", "--noheadings").trim();
        FileSizeLimit limit = new FileSizeLimit(soft);
        limit.set(Long.toString(bytes));
        return limit;
    }

    @Override
    public void close() throws IOException {
        set(before);
    }

    private void set(String soft) throws IOException {
        prlimit("--fsize=" + soft + ":");
    }

    private static String prlimit(String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("prlimit", "--pid", Long.toString(PID)));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
            return output;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + command, e);
        }
    }
}
