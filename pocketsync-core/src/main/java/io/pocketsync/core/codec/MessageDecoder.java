package io.pocketsync.core.codec;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.auth.Grant;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.AppliedRange;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.MessageType;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Scoped;
import io.pocketsync.api.protocol.Welcome;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Maps a decoded tree (see {@link WireTreeReader}) to a protocol message, following
 * {@code docs/protocol.md} section 2. Shared by the JSON and CBOR codecs. Stateless; thread-safe.
 */
final class MessageDecoder {
    /** The JSON form of a blob: {@code {"$b": "<base64>"}}. */
    static final String BLOB_FIELD = "$b";

    Message decode(Object root) {
        WireObject message = WireObject.of(root, "");
        int version = message.intValue("v");
        if (!ProtocolVersion.isSupported(version)) {
            throw new PocketSyncException(ErrorCode.PROTOCOL_VERSION_UNSUPPORTED, "protocol version " + version
                    + " is not supported (this side speaks " + ProtocolVersion.MIN_SUPPORTED + "-" + ProtocolVersion.CURRENT + ")");
        }
        MessageType type = messageType(message.string("type"));
        Message body = body(message, version, type);
        // protocol 3: a message of one scope's session on a connection of several (docs/protocol.md 3.9)
        if (version >= ProtocolVersion.SCOPES && type != MessageType.HELLO && message.has("scope")) {
            return new Scoped(message.string("scope"), body);
        }
        return body;
    }

    private static Message body(WireObject message, int version, MessageType type) {
        switch (type) {
            case HELLO:
                return new Hello(version, message.string("device"), message.string("scope"), message.string("token"),
                        message.nonNegativeLong("cursor"), hlc(message, "hlc"), optionalInt(message, "maxAssembled"),
                        message.has("tables") ? ChecksumCodec.strings(message, "tables") : null);
            case WELCOME:
                return new Welcome(version, message.string("session"), hlc(message, "hlc"), message.nonNegativeLong("head"),
                        message.booleanValue("resync"), message.intValue("maxBatch"), message.intValue("maxBytes"),
                        message.has("time") ? message.nonNegativeLong("time") : 0, optionalInt(message, "maxRow"),
                        optionalInt(message, "maxAssembled"),
                        message.has("own") ? message.nonNegativeLong("own") : 0, grant(message));
            case PUSH:
                return new Push(version, message.string("batch"), changes(message, "changes"),
                        message.has("bulk") && message.booleanValue("bulk"));
            case ACK:
                return new Ack(version, message.string("batch"), results(message), hlc(message, "hlc"),
                        message.has("time") ? message.nonNegativeLong("time") : 0,
                        message.has("applied") ? applied(message.object("applied")) : null);
            case CHANGES:
                long from = message.nonNegativeLong("from");
                long cursor = message.nonNegativeLong("cursor");
                if (cursor < from) {
                    throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field 'cursor' " + cursor + " is before 'from' " + from);
                }
                List<Change> changes = changes(message, "changes");
                ChangesMode mode = message.enumValue("mode", ChangesMode.class);
                boolean more = message.booleanValue("more");
                Checksums sums = message.has("sums")
                        ? ChecksumCodec.readChecksums(version, message.object("sums"), List.of(), List.of()) : null;
                if (sums != null && (mode == ChangesMode.LIVE || more || sums.sequence() != cursor)) {
                    throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field 'sums' comes only with a final page, at its"
                            + " cursor " + cursor);
                }
                List<String> tables = optionalTables(message);
                if (tables != null && mode == ChangesMode.LIVE) {
                    throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field 'tables' names a table catch-up page, never a LIVE");
                }
                return new Changes(version, mode, changes, from, cursor, more, message.nonNegativeLong("remaining"),
                        sequences(message, changes.size()), sums, tables);
            case PULL:
                return new Pull(version, message.nonNegativeLong("cursor"), message.intValue("limit"),
                        message.has("own") ? message.nonNegativeLong("own") : 0,
                        message.has("self") && message.booleanValue("self"), ChecksumCodec.pullSums(message),
                        optionalTables(message));
            case ERROR:
                return new ErrorMessage(version, errorCode(message, "code", "number"), message.string("message"),
                        message.optionalString("ref"));
            case PING:
                return new Ping(version, message.longValue("nonce"));
            case PONG:
                return new Pong(version, message.longValue("nonce"));
            case VERIFY:
                return ChecksumCodec.readVerify(version, message);
            case CHECKSUMS:
                List<Change> rows = message.has("changes") ? changes(message, "changes") : List.of();
                return ChecksumCodec.readChecksums(version, message, rows, sequences(message, rows.size()));
            default:
                throw new PocketSyncException(ErrorCode.UNKNOWN_MESSAGE_TYPE, "unknown message type " + type);
        }
    }

    private static MessageType messageType(String name) {
        for (MessageType type : MessageType.values()) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        throw new PocketSyncException(ErrorCode.UNKNOWN_MESSAGE_TYPE, "unknown message type " + WireObject.shorten(name));
    }

    private static Hlc hlc(WireObject object, String name) {
        return new Hlc(object.nonNegativeLong(name));
    }

    /** The code by name, falling back to the number; a code this build does not know becomes INTERNAL. */
    private static ErrorCode errorCode(WireObject object, String nameField, String numberField) {
        String name = object.string(nameField);
        Long number = object.has(numberField) ? object.longValue(numberField) : null;
        ErrorCode code = ErrorCode.fromWire(name);
        if (code == ErrorCode.INTERNAL && !name.equals(ErrorCode.INTERNAL.name()) && number != null) {
            code = ErrorCode.fromWire(Long.toString(number));
        }
        return code;
    }

    /** The optional {@code seqs}: one positive sequence per change, or absent (an older server). */
    private static List<Long> sequences(WireObject message, int changeCount) {
        if (!message.has("seqs")) {
            return List.of();
        }
        List<?> items = message.list("seqs");
        if (items.size() != changeCount) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field 'seqs' has " + items.size() + " entries for "
                    + changeCount + " changes");
        }
        List<Long> sequences = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String path = message.field("seqs") + "[" + i + "]";
            long sequence = WireObject.toLong(path, items.get(i));
            if (sequence <= 0) {
                throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field '" + path + "' must be positive: " + sequence);
            }
            sequences.add(sequence);
        }
        return sequences;
    }

    /** Protocol 4's {@code tables} of a PULL or CHANGES (a table catch-up): absent is null, empty is refused. */
    private static @Nullable List<String> optionalTables(WireObject message) {
        if (!message.has("tables")) {
            return null;
        }
        List<String> tables = ChecksumCodec.strings(message, "tables");
        if (tables.isEmpty()) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field 'tables' names at least one table");
        }
        return tables;
    }

    /** WELCOME's {@code grant} (protocol 4): absent (an older server) is null. */
    private static @Nullable Grant grant(WireObject message) {
        String text = message.optionalString("grant");
        if (text == null) {
            return null;
        }
        try {
            return Grant.parse(text);
        }
        catch (IllegalArgumentException e) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field 'grant' is r or rw, not " + WireObject.shorten(text));
        }
    }

    private static List<Change> changes(WireObject message, String name) {
        List<?> items = message.list(name);
        List<Change> changes = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            changes.add(change(WireObject.of(items.get(i), message.field(name) + "[" + i + "]")));
        }
        return changes;
    }

    static Change change(WireObject change) {
        return new Change(change.string("id"), change.string("table"), change.string("gid"), change.enumValue("op", Op.class),
                row(change.object("row")), columns(change), hlc(change, "hlc"), change.string("device"), uniqueKeys(change));
    }

    /** The optional {@code uniq}: column sets of the table's UNIQUE constraints, each a non-empty list of names. */
    private static List<List<String>> uniqueKeys(WireObject change) {
        if (!change.has("uniq")) {
            return List.of();
        }
        List<?> items = change.list("uniq");
        List<List<String>> keys = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String path = change.field("uniq") + "[" + i + "]";
            if (!(items.get(i) instanceof List<?> names) || names.isEmpty()) {
                throw WireObject.invalid(path, "a non-empty list of column names", items.get(i));
            }
            List<String> key = new ArrayList<>(names.size());
            for (int j = 0; j < names.size(); j++) {
                if (!(names.get(j) instanceof String name)) {
                    throw WireObject.invalid(path + "[" + j + "]", "a string", names.get(j));
                }
                key.add(name);
            }
            keys.add(key);
        }
        return keys;
    }

    private static List<String> columns(WireObject change) {
        List<?> items = change.list("cols");
        List<String> columns = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            if (!(item instanceof String)) {
                throw WireObject.invalid(change.field("cols") + "[" + i + "]", "a string", item);
            }
            columns.add((String) item);
        }
        return columns;
    }

    private static Map<String, Object> row(WireObject row) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String column : row.names()) {
            values.put(column, value(row.field(column), row.raw(column)));
        }
        return values;
    }

    private static Object value(String path, Object value) {
        if (value == null || value instanceof Long || value instanceof Double || value instanceof String
                || value instanceof byte[]) {
            return value;
        }
        if (value instanceof Boolean) {
            // SQLite has no boolean type; other-language clients may still send JSON booleans.
            return ((Boolean) value) ? 1L : 0L;
        }
        if (value instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) value;
            Object base64 = map.get(BLOB_FIELD);
            if (map.size() == 1 && base64 instanceof String) {
                try {
                    return Base64.getDecoder().decode((String) base64);
                }
                catch (IllegalArgumentException e) {
                    throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field '" + path + "' is not valid base64");
                }
            }
        }
        if (value instanceof java.math.BigInteger) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field '" + path + "' does not fit in 64 bits");
        }
        throw WireObject.invalid(path, "a SQLite value (null, integer, real, text or blob)", value);
    }

    /** A compact ACK's {@code applied}: {@code {from, to, count}}, checked as {@link AppliedRange} does. */
    private static AppliedRange applied(WireObject applied) {
        try {
            return new AppliedRange(applied.nonNegativeLong("from"), applied.nonNegativeLong("to"), applied.intValue("count"));
        }
        catch (IllegalArgumentException e) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field 'applied': " + e.getMessage());
        }
    }

    private static List<ChangeResult> results(WireObject message) {
        List<?> items = message.list("results");
        List<ChangeResult> results = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            WireObject result = WireObject.of(items.get(i), "results[" + i + "]");
            ChangeStatus status = result.enumValue("status", ChangeStatus.class);
            Change winner = result.has("winner") ? change(result.object("winner")) : null;
            ErrorCode code = result.has("code") ? ErrorCode.fromWire(result.string("code")) : null;
            if (status == ChangeStatus.REJECTED && code == null) {
                throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "missing field '" + result.field("code") + "'");
            }
            long sequence = result.nonNegativeLong("seq");
            results.add(new ChangeResult(result.string("id"), status, sequence, winner, code, result.optionalString("message"),
                    previous(result, status, sequence)));
        }
        return results;
    }

    /**
     * A result's optional {@code prev} (protocol.md 3.2): the sequence of the state an APPLIED change replaced, below its
     * {@code seq}; absent (an older server) is {@link ChangeResult#PREVIOUS_UNKNOWN}. On another status it is
     * {@code INVALID_FIELD}.
     */
    private static long previous(WireObject result, ChangeStatus status, long sequence) {
        if (!result.has("prev")) {
            return ChangeResult.PREVIOUS_UNKNOWN;
        }
        long previous = result.nonNegativeLong("prev");
        if (status != ChangeStatus.APPLIED || previous >= sequence) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "field '" + result.field("prev") + "' is " + previous
                    + ": only an APPLIED result has one, below its seq " + sequence);
        }
        return previous;
    }

    /** An optional limit: 0 when absent, never negative. */
    private static int optionalInt(WireObject message, String name) {
        return message.has(name) ? (int) Math.min(Integer.MAX_VALUE, message.nonNegativeLong(name)) : 0;
    }
}
