package io.pocketsync.device.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Row ids derived from natural keys.
 *
 * <p>The natural-key rule: <em>two devices that insert the same natural key are writing the same row.</em> A table's
 * natural key is its primary key, or, when that is a local rowid key, its first plain UNIQUE index
 * ({@link TableSchema#identityKey()}). A new row of such a table gets the {@code ps_global_id}
 * {@code n<32 hex digits>}: the start of the SHA-256 of the table name and the key's values in wire form (references
 * to rowid keys as the parent's id, see {@link KeyTranslation}). Every device derives the same id for the same key,
 * so a settings row {@code 'theme'} created on two devices is one row everywhere: the server sees two writes of
 * one row and the table's resolver decides its content, no second id ever exists, and nothing is parked. A row
 * deleted and inserted again with the same key gets the same id back, so the later write wins over the delete as
 * for any row.
 *
 * <p>A row keeps the id it was given: an UPDATE that changes its key does not move it. A new row whose key another
 * row's id was derived from (that row's key was changed since) gets an ordinary id, as does a row with a NULL in its
 * key or a reference whose parent has no id yet; such rows collide with the other device's row like before, and the
 * collision is parked as {@code KEY_COLLISION} where it meets. Which ids are taken is checked a round at a time
 * ({@link NaturalIdRound}).
 *
 * <p>The id is a wire fact every device and third-party client must compute alike (docs/protocol.md): its bytes are
 * pinned by {@code NaturalIdsTest}. An instance keeps one digest for the ids it derives; not thread-safe (one per
 * {@link JournalSealer}, whose capture is synchronized).
 */
final class NaturalIds {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    private final MessageDigest digest;

    /** Finds the id of a parent row by its local rowid (null when it has none). */
    interface ParentIds {
        @Nullable String id(String table, long rowid) throws SQLException;
    }

    NaturalIds() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /**
     * The natural key's values of a row image as stored here (references as local rowids), in key order, or null when
     * the table has no natural key or a key value is NULL (SQL lets several rows hold NULL in a UNIQUE key: it names
     * nothing). Reads only the key's columns of the image.
     */
    static Object @Nullable [] localKey(TableSchema schema, String localImage) {
        List<String> key = schema.identityKey();
        if (key.isEmpty()) {
            return null;
        }
        Object[] values = RowImages.select(localImage, key);
        for (Object value : values) {
            if (value == null) {
                return null;
            }
        }
        return values;
    }

    /**
     * The id derived from a new row's natural key, or null when a referenced parent has no id.
     *
     * @param localKey the key's values as stored here ({@link #localKey}); not changed
     */
    @Nullable String derive(TableSchema schema, Object[] localKey, KeyTranslation keys, ParentIds parents) throws SQLException {
        KeyTranslation.TableKeys translated = keys.keys(schema.name());
        Object[] values = localKey;
        if (translated != null && !translated.references().isEmpty()) {
            values = localKey.clone();
            List<String> key = schema.identityKey();
            for (int i = 0; i < values.length; i++) {
                String parent = translated.references().get(key.get(i));
                if (parent != null && values[i] instanceof Long) {
                    values[i] = parents.id(parent, (Long) values[i]);
                    if (values[i] == null) {
                        return null;
                    }
                }
            }
        }
        return id(schema.name(), Arrays.asList(values));
    }

    /** Whether a table's natural key holds a reference, so that its ids depend on other rows' ids. */
    static boolean keyReferences(TableSchema schema, KeyTranslation keys) {
        KeyTranslation.TableKeys translated = keys.keys(schema.name());
        if (translated == null) {
            return false;
        }
        for (String column : schema.identityKey()) {
            if (translated.references().containsKey(column)) {
                return true;
            }
        }
        return false;
    }

    /** The id of the row of {@code table} whose natural key holds {@code values} (wire form), with this digest. */
    String id(String table, List<Object> values) {
        try {
            digest.reset();
            digest.update(table.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(JSON.writeValueAsBytes(values));
            return "n" + HEX.formatHex(digest.digest(), 0, 16);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("row values always serialize", e);
        }
    }

    /** The id of the row of {@code table} whose natural key holds {@code values} (wire form). */
    static String of(String table, List<Object> values) {
        return new NaturalIds().id(table, values);
    }
}
