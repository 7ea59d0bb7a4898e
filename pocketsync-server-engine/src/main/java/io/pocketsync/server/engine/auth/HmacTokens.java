package io.pocketsync.server.engine.auth;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.PocketSyncException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signed token format of {@link HmacTokenAuthenticator}:
 * {@code base64url(payload) + "." + base64url(HMAC-SHA256(secret, payload))}, unpadded, where the payload
 * is the UTF-8 text {@code v1|scope|device|expiryEpochSeconds}. {@code device} is a device id or
 * {@code *} for any device of the scope. Neither scope nor device ids can contain {@code |}.
 *
 * <p>Stateless and thread-safe.
 */
public final class HmacTokens {
    static final String ANY_DEVICE = "*";
    static final int MIN_SECRET_BYTES = 16;
    private static final String VERSION = "v1";

    private HmacTokens() {}

    /**
     * Issues a token.
     *
     * @param secret the server secret, at least 16 bytes
     * @param scope the scope the token grants
     * @param device the device id the token is for, or {@code *} for any device
     * @param expiry when the token stops being accepted
     * @return the token: base64url payload, a dot, and the base64url HMAC of the payload
     */
    public static String issue(byte[] secret, String scope, String device, Instant expiry) {
        checkSecret(secret);
        Identifiers.requireScopeOrDeviceId(scope, "scope");
        if (!ANY_DEVICE.equals(device)) {
            Identifiers.requireScopeOrDeviceId(device, "device");
        }
        requireNonNull(expiry, "expiry is null");
        byte[] payload = String.join("|", VERSION, scope, device, Long.toString(expiry.getEpochSecond()))
                .getBytes(StandardCharsets.UTF_8);
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
        return encoder.encodeToString(payload) + "." + encoder.encodeToString(sign(secret, payload));
    }

    /**
     * The secret kept in {@code file}: its content without surrounding whitespace, as UTF-8. The server
     * ({@code auth.hmac.secret-file}) and the tools that issue tokens read it the same way.
     *
     * @param file the secret file; read as UTF-8
     * @return the secret's bytes, surrounding whitespace stripped
     * @throws PocketSyncException with {@link ErrorCode#CONFIG_INVALID} when the file cannot be read
     */
    public static byte[] readSecretFile(Path file) {
        requireNonNull(file, "file is null");
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "cannot read the HMAC secret file '" + file + "': " + e, e);
        }
    }

    static void checkSecret(byte[] secret) {
        requireNonNull(secret, "secret is null");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID,
                    "the HMAC secret must have at least " + MIN_SECRET_BYTES + " bytes");
        }
    }

    static byte[] sign(byte[] secret, byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(payload);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every JRE", e);
        }
    }

    /** A verified payload. */
    record Claims(String scope, String device, long expiryEpochSeconds) {}

    /**
     * Verifies the signature (constant time) and parses the payload.
     *
     * @throws PocketSyncException {@code AUTH_FAILED} for anything malformed or badly signed
     */
    static Claims verify(byte[] secret, String token) {
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            throw failed();
        }
        byte[] payload;
        byte[] signature;
        try {
            Base64.Decoder decoder = Base64.getUrlDecoder();
            payload = decoder.decode(token.substring(0, dot));
            signature = decoder.decode(token.substring(dot + 1));
        }
        catch (IllegalArgumentException e) {
            throw failed();
        }
        if (!java.security.MessageDigest.isEqual(sign(secret, payload), signature)) {
            throw failed();
        }
        String[] parts = new String(payload, StandardCharsets.UTF_8).split("\\|", -1);
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            throw failed();
        }
        try {
            return new Claims(parts[1], parts[2], Long.parseLong(parts[3]));
        }
        catch (NumberFormatException e) {
            throw failed();
        }
    }

    private static PocketSyncException failed() {
        return new PocketSyncException(ErrorCode.AUTH_FAILED, "invalid signed token");
    }
}
