package io.pocketsync.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * The web console: static files from {@code io/pocketsync/admin/console/} on the class path, read once. The page holds
 * no data and needs no token; the data comes from the API, which does. Plain HTML, CSS and JavaScript: nothing to build.
 */
final class ConsoleFiles {
    /** A file: its content type and bytes. */
    record File(String contentType, byte[] bytes) {}

    private static final Map<String, String> FILES = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/console.js", "console.js",
            "/console.css", "console.css");

    private final Map<String, File> files;

    ConsoleFiles() {
        this.files = Map.of(
                "index.html", load("index.html", "text/html; charset=utf-8"),
                "console.js", load("console.js", "text/javascript; charset=utf-8"),
                "console.css", load("console.css", "text/css; charset=utf-8"));
    }

    Optional<File> find(String path) {
        String name = FILES.get(path);
        return name == null ? Optional.empty() : Optional.of(files.get(name));
    }

    private static File load(String name, String contentType) {
        try (InputStream in = ConsoleFiles.class.getResourceAsStream("console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console file " + name + " is missing from the class path");
            }
            return new File(contentType, in.readAllBytes());
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read console file " + name, e);
        }
    }
}
