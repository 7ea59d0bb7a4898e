package io.pocketsync.core.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.RowHash;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.Verify;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The fields of {@code VERIFY} and {@code CHECKSUMS} (docs/protocol.md 4.2), for {@link MessageEncoder} and
 * {@link MessageDecoder}; the rows of a {@code CHECKSUMS} travel as {@code changes} and {@code seqs}, written and read
 * there like those of {@code CHANGES}. Stateless.
 */
final class ChecksumCodec {
    private ChecksumCodec() {}

    static void writeVerify(JsonGenerator out, Verify verify) throws IOException {
        out.writeNumberField("id", verify.requestId());
        out.writeStringField("alg", verify.algorithm());
        if (verify.table() != null) {
            out.writeStringField("table", verify.table());
        }
        if (verify.level() != null) {
            writeLevel(out, verify.level());
        }
        if (!verify.buckets().isEmpty()) {
            out.writeArrayFieldStart("buckets");
            for (int bucket : verify.buckets()) {
                out.writeNumber(bucket);
            }
            out.writeEndArray();
        }
        if (!verify.globalIds().isEmpty()) {
            out.writeArrayFieldStart("gids");
            for (String gid : verify.globalIds()) {
                out.writeString(gid);
            }
            out.writeEndArray();
        }
    }

    static void writeChecksums(JsonGenerator out, Checksums checksums) throws IOException {
        out.writeNumberField("id", checksums.requestId());
        out.writeNumberField("seq", checksums.sequence());
        out.writeStringField("alg", checksums.algorithm());
        if (!checksums.tables().isEmpty()) {
            out.writeArrayFieldStart("tables");
            for (TableChecksum table : checksums.tables()) {
                out.writeStartObject();
                out.writeStringField("table", table.table());
                out.writeNumberField("count", table.count());
                out.writeNumberField("sum", table.sum());
                out.writeArrayFieldStart("counts");
                for (int bucket = 0; bucket < table.level().buckets(); bucket++) {
                    out.writeNumber(table.bucketCount(bucket));
                }
                out.writeEndArray();
                out.writeArrayFieldStart("sums");
                for (int bucket = 0; bucket < table.level().buckets(); bucket++) {
                    out.writeNumber(table.bucketSum(bucket));
                }
                out.writeEndArray();
                out.writeEndObject();
            }
            out.writeEndArray();
        }
        if (!checksums.globalIds().isEmpty()) {
            out.writeArrayFieldStart("gids");
            for (String gid : checksums.globalIds()) {
                out.writeString(gid);
            }
            out.writeEndArray();
            out.writeArrayFieldStart("hashes");
            for (long hash : checksums.hashes()) {
                out.writeNumber(hash);
            }
            out.writeEndArray();
        }
        if (!checksums.rows().isEmpty()) {
            out.writeArrayFieldStart("seqs");
            for (long sequence : checksums.sequences()) {
                out.writeNumber(sequence);
            }
            out.writeEndArray();
        }
    }

    static Verify readVerify(int version, WireObject message) {
        List<Integer> buckets = new ArrayList<>();
        if (message.has("buckets")) {
            for (long bucket : longs(message, "buckets")) {
                if (bucket < 0 || bucket >= RowHash.BUCKETS) {
                    throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field 'buckets' holds " + bucket
                            + ", not a bucket (0-" + (RowHash.BUCKETS - 1) + ")");
                }
                buckets.add((int) bucket);
            }
        }
        String table = message.has("table") ? message.string("table") : null;
        List<String> gids = message.has("gids") ? strings(message, "gids") : List.of();
        if (table == null && (!buckets.isEmpty() || !gids.isEmpty())) {
            throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "missing field 'table'");
        }
        ChecksumLevel level = level(message);
        if (level != null && (!buckets.isEmpty() || !gids.isEmpty())) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field 'level' asks for table checksums, not with '"
                    + (buckets.isEmpty() ? "gids" : "buckets") + "'");
        }
        return new Verify(version, message.longValue("id"), table, buckets, gids, algorithm(message), level);
    }

    /** A PULL's {@code sums} and {@code level}: the level of the checksums a final page should carry, or null. */
    static @Nullable ChecksumLevel pullSums(WireObject message) {
        boolean sums = message.has("sums") && message.booleanValue("sums");
        ChecksumLevel level = level(message);
        if (level != null && !sums) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field 'level' of a PULL comes only with 'sums' true");
        }
        return sums ? (level == null ? ChecksumLevel.FINE : level) : null;
    }

    /** Writes {@code level} (a fine one too: its absence means fine, but naming it costs a few bytes and is clearer). */
    static void writeLevel(JsonGenerator out, ChecksumLevel level) throws IOException {
        out.writeStringField("level", level.wireName());
    }

    private static @Nullable ChecksumLevel level(WireObject message) {
        if (!message.has("level")) {
            return null;
        }
        String name = message.string("level");
        try {
            return ChecksumLevel.fromWire(name);
        }
        catch (IllegalArgumentException e) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field '" + message.field("level") + "' holds '" + name
                    + "', not a checksum level (coarse or fine)");
        }
    }

    static Checksums readChecksums(int version, WireObject message, List<Change> rows, List<Long> sequences) {
        List<TableChecksum> tables = new ArrayList<>();
        if (message.has("tables")) {
            List<?> items = message.list("tables");
            for (int i = 0; i < items.size(); i++) {
                WireObject table = WireObject.of(items.get(i), message.field("tables") + "[" + i + "]");
                List<Long> counts = longs(table, "counts");
                List<Long> sums = longs(table, "sums");
                if (counts.size() != sums.size() || (counts.size() != ChecksumLevel.FINE.buckets()
                        && counts.size() != ChecksumLevel.COARSE.buckets())) {
                    throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field '" + table.path() + "' must have "
                            + ChecksumLevel.FINE.buckets() + " (fine) or " + ChecksumLevel.COARSE.buckets()
                            + " (coarse) bucket counts and as many sums");
                }
                tables.add(TableChecksum.of(table.string("table"), counts.stream().mapToLong(Long::longValue).toArray(),
                        sums.stream().mapToLong(Long::longValue).toArray()));
            }
        }
        List<String> gids = message.has("gids") ? strings(message, "gids") : List.of();
        List<Long> hashes = message.has("hashes") ? longs(message, "hashes") : List.of();
        if (gids.size() != hashes.size()) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "fields 'gids' and 'hashes' differ in length");
        }
        if (rows.size() != sequences.size()) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field 'seqs' must have one entry per change");
        }
        return new Checksums(version, message.longValue("id"), message.nonNegativeLong("seq"), tables, gids, hashes, rows,
                sequences, algorithm(message));
    }

    /** The row hash a side sums: the first version's when it does not say (it predates the field). */
    private static String algorithm(WireObject message) {
        return message.has("alg") ? message.string("alg") : RowHash.FIRST_ALGORITHM;
    }

    private static List<Long> longs(WireObject message, String name) {
        List<?> items = message.list(name);
        List<Long> values = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            values.add(WireObject.toLong(message.field(name) + "[" + i + "]", items.get(i)));
        }
        return values;
    }

    static List<String> strings(WireObject message, String name) {
        List<?> items = message.list(name);
        List<String> values = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof String text)) {
                throw WireObject.invalid(message.field(name) + "[" + i + "]", "a string", items.get(i));
            }
            values.add(text);
        }
        return values;
    }
}
