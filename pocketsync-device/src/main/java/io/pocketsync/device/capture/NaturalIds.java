package io.pocketsync.device.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

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
 * collision is parked as {@code KEY_COLLISION} where it meets.
 */
final class NaturalIds {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    /** Finds the id of a parent row by its local rowid (null when it has none). */
    interface ParentIds {
        String id(String table, long rowid) throws SQLException;
    }

    private NaturalIds() {}

    /**
     * The id derived from the natural key of a new row, or null when the table has none, a key value is NULL, or a
     * referenced parent has no id.
     *
     * @param localImage the row as stored here (references as local rowids)
     */
    static String derive(TableSchema schema, Map<String, Object> localImage, KeyTranslation keys, ParentIds parents)
            throws SQLException {
        List<String> key = schema.identityKey();
        if (key.isEmpty()) {
            return null;
        }
        KeyTranslation.TableKeys translated = keys.keys(schema.name());
        List<Object> values = new ArrayList<>(key.size());
        for (String column : key) {
            Object value = localImage.get(column);
            if (value == null) {
                return null; // SQL lets several rows hold NULL in a UNIQUE key: it names nothing
            }
            String parent = translated == null ? null : translated.references().get(column);
            if (parent != null && value instanceof Long) {
                value = parents.id(parent, (Long) value);
                if (value == null) {
                    return null;
                }
            }
            values.add(value);
        }
        return of(schema.name(), values);
    }

    /** The id of the row of {@code table} whose natural key holds {@code values} (wire form). */
    static String of(String table, List<Object> values) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(table.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(JSON.writeValueAsBytes(values));
            return "n" + HEX.formatHex(digest.digest(), 0, 16);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("row values always serialize", e);
        }
    }
}
