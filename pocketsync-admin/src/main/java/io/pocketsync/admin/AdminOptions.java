package io.pocketsync.admin;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.net.InetAddress;

/**
 * Where the admin API listens and the token it asks for.
 *
 * @param bind the address to listen on; 127.0.0.1 unless the operator chose otherwise
 * @param port the TCP port, 0-65535; 0 picks a free one
 * @param token the admin token every API request must carry ({@code Authorization: Bearer <token>}); at least
 *        {@value #MIN_TOKEN_LENGTH} characters, no whitespace. A secret: never logged.
 */
public record AdminOptions(InetAddress bind, int port, String token) {
    /** The shortest admin token accepted. */
    public static final int MIN_TOKEN_LENGTH = 16;

    /**
     * Validates the options.
     *
     * @param bind the address to listen on
     * @param port the TCP port, 0-65535
     * @param token the admin token
     * @throws PocketSyncException {@code CONFIG_INVALID} for a port out of range or a token too short or with whitespace
     */
    public AdminOptions {
        requireNonNull(bind, "bind is null");
        requireNonNull(token, "token is null");
        if (port < 0 || port > 65535) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "the admin port must be 0-65535: " + port);
        }
        if (token.length() < MIN_TOKEN_LENGTH || token.chars().anyMatch(Character::isWhitespace)) {
            // never echo the token
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "the admin token must be at least " + MIN_TOKEN_LENGTH
                    + " characters without whitespace (e.g. openssl rand -hex 32)");
        }
    }

    @Override
    public String toString() {
        return "AdminOptions[bind=" + bind.getHostAddress() + ", port=" + port + ", token=****]";
    }
}
