package io.pocketsync.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./pocketsync} commands run as a user runs them: processes of the packaged jar, each logging to
 * {@code NAME.log} in a test directory. {@link #close()} stops them (SIGTERM, then SIGKILL after 30 s).
 */
final class JarProcesses implements AutoCloseable {
    private static final Path JAR = Path.of("target", "pocketsync-server.jar");

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();

    JarProcesses(Path dir) {
        this.dir = dir;
    }

    /** Starts {@code java -jar pocketsync-server.jar ARGS} with extra environment variables. */
    Process start(String name, Map<String, String> environment, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        builder.environment().remove("POCKETSYNC_TOKEN");
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            processes.add(process);
            return process;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Process start(String name, String... args) {
        return start(name, Map.of(), args);
    }

    /** What the process {@code name} wrote so far (stdout and stderr). */
    String log(String name) {
        try {
            Path file = dir.resolve(name + ".log");
            return Files.exists(file) ? Files.readString(file) : "";
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
