package io.pocketsync.server.engine.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HS256 secrets of a {@code --jwt-secret-file}, one a line, all accepted, re-read when the file changes, so a secret
 * rotates without a restart (docs/authentication.md): add the new secret as a line, move the issuers to it, remove the old
 * line. Blank lines are skipped and each line is stripped; every secret holds at least 32 bytes.
 *
 * <p>The file's modification time and size are looked at, at most once per {@code interval} (a stat, no read), and at
 * once when a token failed to verify ({@link #reload()}: its issuer may already sign with a secret just added, so the file
 * is read then whatever its time says); it is read again only when either changed. Verification failures come at the pace of logins, which the engine throttles. A
 * file that becomes unreadable, empty or holds a line too short keeps the last good secrets in use, with a WARN naming
 * the file and the code {@code CONFIG_INVALID}, never a secret.
 *
 * <p>Thread-safe.
 */
final class SecretFileSource implements JWKSource<SecurityContext> {
    private static final Logger LOG = LoggerFactory.getLogger(SecretFileSource.class);
    /** The shortest HS256 secret: RFC 7518 asks for a key as long as the hash. */
    static final int MIN_SECRET_BYTES = 32;

    private final Path file;
    private final Clock clock;
    private final long intervalMillis;
    private Snapshot snapshot;
    private long checkedAt;

    /**
     * Reads the file once; start-up fails when it cannot be read, holds no secret, or a secret shorter than 32 bytes.
     *
     * @param file the secret file
     * @param clock paces the checks
     * @param interval the least time between two looks at the file while tokens verify
     * @throws PocketSyncException {@code CONFIG_INVALID} naming the file and the reason (never a secret)
     */
    SecretFileSource(Path file, Clock clock, Duration interval) {
        this.file = requireNonNull(file, "file is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.intervalMillis = requireNonNull(interval, "interval is null").toMillis();
        try {
            this.snapshot = read();
        }
        catch (IOException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "cannot read the JWT secret file '" + file + "': "
                    + e.getClass().getSimpleName(), e);
        }
        catch (IllegalArgumentException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "the JWT secret file '" + file + "' " + e.getMessage());
        }
        this.checkedAt = clock.millis();
    }

    /**
     * The first secret of a file as {@code pocketsync token --jwt --secret-file} signs with: the first non-blank line,
     * stripped.
     *
     * @param file the secret file
     * @return its first secret's bytes
     * @throws PocketSyncException {@code CONFIG_INVALID} when it cannot be read or holds no secret
     */
    static byte[] firstSecret(Path file) {
        try {
            return secrets(Files.readString(file, StandardCharsets.UTF_8)).get(0);
        }
        catch (IOException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "cannot read the JWT secret file '" + file + "': "
                    + e.getClass().getSimpleName(), e);
        }
        catch (IllegalArgumentException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "the JWT secret file '" + file + "' " + e.getMessage());
        }
    }

    @Override
    public synchronized List<JWK> get(JWKSelector selector, SecurityContext context) {
        long now = clock.millis();
        if (now - checkedAt >= intervalMillis) {
            refresh(now, false);
        }
        return selector.select(snapshot.keys);
    }

    /**
     * Looks at the file now (a token failed to verify) and reads it again when it changed.
     *
     * @return whether other secrets are in use since
     */
    synchronized boolean reload() {
        List<JWK> before = snapshot.keys.getKeys();
        refresh(clock.millis(), true);
        return !snapshot.keys.getKeys().equals(before);
    }

    /** The number of secrets in use (for tests and logs). */
    synchronized int size() {
        return snapshot.keys.getKeys().size();
    }

    /** Reads the file again when its time or size changed, or always with {@code force} (a rewrite within a millisecond). */
    private void refresh(long now, boolean force) {
        checkedAt = now;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (!force && attributes.lastModifiedTime().toMillis() == snapshot.modified && attributes.size() == snapshot.size) {
                return;
            }
            Snapshot next = read();
            if (next.keys.getKeys().equals(snapshot.keys.getKeys())) {
                snapshot = next;
                return;
            }
            LOG.info("JWT secret file {} re-read: {} secrets accepted (were {})", file, next.keys.getKeys().size(),
                    snapshot.keys.getKeys().size());
            snapshot = next;
        }
        catch (IOException | IllegalArgumentException e) {
            // a half-written file, a moment without one, an emptied one: keep verifying with the secrets we had
            String reason = e instanceof IOException ? "cannot be read (" + e.getClass().getSimpleName() + ")" : e.getMessage();
            LOG.warn("{}: the JWT secret file {} {}; keeping the {} secrets read before", ErrorCode.CONFIG_INVALID, file, reason,
                    snapshot.keys.getKeys().size());
        }
    }

    private Snapshot read() throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        List<JWK> keys = new ArrayList<>();
        for (byte[] secret : secrets(Files.readString(file, StandardCharsets.UTF_8))) {
            keys.add(new OctetSequenceKey.Builder(secret).build());
        }
        return new Snapshot(new JWKSet(keys), attributes.lastModifiedTime().toMillis(), attributes.size());
    }

    /** The secrets of a file's text, one a line; IllegalArgumentException (its message never a secret) when unusable. */
    private static List<byte[]> secrets(String text) {
        List<byte[]> secrets = new ArrayList<>();
        int line = 0;
        for (String raw : text.split("\r?\n", -1)) {
            line++;
            String secret = raw.strip();
            if (secret.isEmpty()) {
                continue;
            }
            byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("holds a secret shorter than " + MIN_SECRET_BYTES + " bytes on line " + line);
            }
            secrets.add(bytes);
        }
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("holds no secret");
        }
        return secrets;
    }

    @Override
    public String toString() {
        return "SecretFileSource[" + file + "]";
    }

    private record Snapshot(JWKSet keys, long modified, long size) {}
}
