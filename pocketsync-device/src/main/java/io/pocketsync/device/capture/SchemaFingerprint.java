package io.pocketsync.device.capture;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A digest of the tracked tables' schemas (columns, types, keys) and of the trigger generator's
 * version. When it differs from the stored one, the triggers are regenerated.
 */
final class SchemaFingerprint {
    private SchemaFingerprint() {}

    static String of(List<TableSchema> schemas) {
        StringBuilder text = new StringBuilder("generator=").append(TriggerGenerator.VERSION).append('\n');
        for (TableSchema schema : schemas) {
            text.append("table=").append(schema.name()).append('\n');
            for (TableSchema.Column column : schema.columns()) {
                text.append(column.name()).append('\u0001').append(column.type()).append('\u0001')
                        .append(column.notNull()).append('\u0001').append(column.primaryKeyIndex()).append('\n');
            }
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.toString().getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
