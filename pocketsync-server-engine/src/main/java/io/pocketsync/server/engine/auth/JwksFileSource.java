package io.pocketsync.server.engine.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.text.ParseException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public keys of a JWKS file, re-read when the file changes, so keys rotate without a restart: an operator (or a
 * sidecar) writes the new key set, ideally old and new key side by side for a while, then the new alone.
 *
 * <p>Each lookup stats the file (modification time and size) and re-reads it when either changed; a lookup that finds
 * no matching key re-reads it too, in case a rewrite kept both. Lookups happen once per handshake, which the engine
 * throttles, so a stream of tokens with unknown key ids cannot make this read the file faster than logins are let in.
 * A file that cannot be read or parsed after start-up keeps the last good key set in use, with a WARN.
 *
 * <p>Thread-safe.
 */
final class JwksFileSource implements JWKSource<SecurityContext> {
    private static final Logger LOG = LoggerFactory.getLogger(JwksFileSource.class);

    private final Path file;
    private Snapshot snapshot;

    /**
     * Reads the file once; start-up fails when it cannot be read or holds no key.
     *
     * @param file the JWKS file ({@code {"keys": [...]}})
     * @throws PocketSyncException {@code CONFIG_INVALID} when it cannot be read, parsed, or holds no key
     */
    JwksFileSource(Path file) {
        this.file = requireNonNull(file, "file is null");
        try {
            this.snapshot = read();
        }
        catch (IOException | ParseException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "cannot read the JWKS file '" + file + "': " + e.getMessage(), e);
        }
        if (snapshot.keys.getKeys().isEmpty()) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "the JWKS file '" + file + "' holds no key");
        }
    }

    @Override
    public synchronized List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        refresh(false);
        List<JWK> found = selector.select(snapshot.keys);
        if (found.isEmpty()) {
            refresh(true);
            found = selector.select(snapshot.keys);
        }
        return found;
    }

    private void refresh(boolean force) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (force || attributes.lastModifiedTime().toMillis() != snapshot.modified || attributes.size() != snapshot.size) {
                Snapshot next = read();
                if (!next.keys.getKeys().equals(snapshot.keys.getKeys())) {
                    LOG.info("JWKS file {} re-read: {} keys", file, next.keys.getKeys().size());
                }
                snapshot = next;
            }
        }
        catch (IOException | ParseException e) {
            // a half-written file or a moment without one: keep verifying with the keys we had
            LOG.warn("cannot re-read the JWKS file {} ({}); keeping the {} keys read before", file, e.getMessage(),
                    snapshot.keys.getKeys().size());
        }
    }

    private Snapshot read() throws IOException, ParseException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        JWKSet keys = JWKSet.parse(Files.readString(file, StandardCharsets.UTF_8));
        // only public keys are needed: a file that holds private parts by mistake is not kept in memory with them
        return new Snapshot(keys.toPublicJWKSet(), attributes.lastModifiedTime().toMillis(), attributes.size());
    }

    @Override
    public String toString() {
        return "JwksFileSource[" + file + "]";
    }

    private record Snapshot(JWKSet keys, long modified, long size) {}
}
