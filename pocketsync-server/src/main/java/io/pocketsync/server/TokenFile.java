package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device token kept in a file ({@code pocketsync device --token-file}), read again at every HELLO, so a token that
 * another process renews in the file is picked up when the old one expires. The content without surrounding whitespace
 * is the token. A read that fails keeps the last token read (and says so in the log, without the token).
 *
 * <p>Thread-safe.
 */
final class TokenFile implements Supplier<String> {
    private static final Logger log = LoggerFactory.getLogger(TokenFile.class);

    private final Path file;
    private volatile String last;

    /**
     * Reads the file once, so that a missing or empty file fails at start.
     *
     * @param file the token file
     * @throws PocketSyncException {@code CONFIG_INVALID} when the file cannot be read or is empty
     */
    TokenFile(Path file) {
        this.file = requireNonNull(file, "file is null");
        try {
            this.last = read();
        }
        catch (IOException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--token-file: cannot read '" + file + "': "
                    + e.getClass().getSimpleName(), e);
        }
        if (last.isEmpty()) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--token-file: '" + file + "' is empty");
        }
    }

    @Override
    public String get() {
        try {
            String token = read();
            if (!token.isEmpty()) {
                last = token;
            }
        }
        catch (IOException e) {
            log.warn("cannot read the token file {} ({}); using the token read before", file, e.getClass().getSimpleName());
        }
        return last;
    }

    private String read() throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }
}
