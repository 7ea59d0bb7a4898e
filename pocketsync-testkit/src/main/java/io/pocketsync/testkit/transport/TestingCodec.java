package io.pocketsync.testkit.transport;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.auth.Grant;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Welcome;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A test-only codec, so transport tests do not depend on the real JSON/CBOR codecs. It writes a
 * small length-prefixed text format (valid UTF-8, so it also fits WebSocket text frames) and covers
 * HELLO, WELCOME, PUSH, PULL, ERROR, PING and PONG; other types fail with {@code UNKNOWN_MESSAGE_TYPE}.
 *
 * <p>Format: {@code n} null, {@code i<long>;}, {@code s<chars>:<text>}, {@code l<count>:<values>},
 * {@code m<count>:<key value pairs>}. A message is a map with {@code type} and {@code v}.
 *
 * <p>Thread-safe and stateless. Any bad input becomes a {@link PocketSyncException} with
 * {@code MALFORMED_MESSAGE}.
 */
public final class TestingCodec implements Codec {
    private final String name;
    private final boolean textual;

    /**
     * A codec named {@code name}.
     *
     * @param name the codec's name
     * @param textual whether it claims to be a text encoding
     */
    public TestingCodec(String name, boolean textual) {
        this.name = name;
        this.textual = textual;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean textual() {
        return textual;
    }

    @Override
    public byte[] encode(Message message) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("type", message.type().name());
        map.put("v", (long) message.protocolVersion());
        if (message instanceof Hello hello) {
            map.put("device", hello.deviceId());
            map.put("scope", hello.scope());
            map.put("token", hello.token());
            map.put("cursor", hello.cursor());
            map.put("hlc", hello.deviceHlc().value());
            map.put("maxAssembled", (long) hello.maxAssembledBytes());
            if (hello.tables() != null) {
                map.put("tables", new ArrayList<Object>(hello.tables()));
            }
        }
        else if (message instanceof Welcome welcome) {
            map.put("session", welcome.sessionId());
            map.put("hlc", welcome.serverHlc().value());
            map.put("head", welcome.headCursor());
            map.put("resync", welcome.resyncRequired() ? 1L : 0L);
            map.put("maxBatch", (long) welcome.maxBatchChanges());
            map.put("maxBytes", (long) welcome.maxMessageBytes());
            map.put("time", welcome.serverTimeMillis());
            map.put("own", welcome.deviceMark());
            map.put("maxRow", (long) welcome.maxRowBytes());
            map.put("maxAssembled", (long) welcome.maxAssembledBytes());
            if (welcome.grant() != null) {
                map.put("grant", welcome.grant().shortForm());
            }
        }
        else if (message instanceof Push push) {
            map.put("batch", push.batchId());
            List<Object> changes = new ArrayList<>();
            for (Change change : push.changes()) {
                changes.add(encodeChange(change));
            }
            map.put("changes", changes);
        }
        else if (message instanceof Pull pull) {
            map.put("cursor", pull.cursor());
            map.put("limit", (long) pull.limit());
            map.put("own", pull.ownFrom());
            map.put("self", pull.self() ? 1L : 0L);
        }
        else if (message instanceof ErrorMessage error) {
            map.put("code", error.code().name());
            map.put("message", error.message());
            map.put("ref", error.refId());
        }
        else if (message instanceof Ping ping) {
            map.put("nonce", ping.nonce());
        }
        else if (message instanceof Pong pong) {
            map.put("nonce", pong.nonce());
        }
        else {
            throw new PocketSyncException(ErrorCode.UNKNOWN_MESSAGE_TYPE, "TestingCodec cannot encode " + message.type());
        }
        StringBuilder out = new StringBuilder();
        write(out, map);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Message decode(byte[] bytes) {
        try {
            Reader reader = new Reader(new String(bytes, StandardCharsets.UTF_8));
            Object value = reader.read();
            if (!(value instanceof Map<?, ?> map) || reader.position != reader.text.length()) {
                throw malformed("not a message");
            }
            return toMessage(map);
        }
        catch (PocketSyncException e) {
            throw e;
        }
        catch (RuntimeException e) {
            throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "malformed message: " + e.getClass().getSimpleName(), e);
        }
    }

    private static Message toMessage(Map<?, ?> map) {
        String type = string(map, "type");
        int v = (int) number(map, "v");
        switch (type) {
            case "HELLO":
                return new Hello(v, string(map, "device"), string(map, "scope"), string(map, "token"), number(map, "cursor"),
                        new Hlc(number(map, "hlc")), (int) number(map, "maxAssembled"), strings(map.get("tables")));
            case "WELCOME":
                return new Welcome(v, string(map, "session"), new Hlc(number(map, "hlc")), number(map, "head"),
                        number(map, "resync") != 0, (int) number(map, "maxBatch"), (int) number(map, "maxBytes"),
                        number(map, "time"), (int) number(map, "maxRow"), (int) number(map, "maxAssembled"),
                        map.containsKey("own") ? number(map, "own") : 0,
                        map.containsKey("grant") ? Grant.parse(string(map, "grant")) : null);
            case "PUSH":
                List<Change> changes = new ArrayList<>();
                for (Object item : (List<?>) map.get("changes")) {
                    changes.add(decodeChange((Map<?, ?>) item));
                }
                return new Push(v, string(map, "batch"), changes);
            case "PULL":
                return new Pull(v, number(map, "cursor"), (int) number(map, "limit"),
                        map.containsKey("own") ? number(map, "own") : 0, map.containsKey("self") && number(map, "self") != 0);
            case "ERROR":
                return new ErrorMessage(v, ErrorCode.fromWire(string(map, "code")), string(map, "message"),
                        (String) map.get("ref"));
            case "PING":
                return new Ping(v, number(map, "nonce"));
            case "PONG":
                return new Pong(v, number(map, "nonce"));
            default:
                throw new PocketSyncException(ErrorCode.UNKNOWN_MESSAGE_TYPE, "unknown message type");
        }
    }

    private static Map<String, Object> encodeChange(Change change) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", change.changeId());
        map.put("table", change.table());
        map.put("gid", change.globalId());
        map.put("op", change.op().name());
        Map<String, Object> row = new LinkedHashMap<>();
        change.row().forEach((column, value) -> {
            if (value != null && !(value instanceof String) && !(value instanceof Long)) {
                throw new PocketSyncException(ErrorCode.INVALID_FIELD, "TestingCodec supports only text and integer values");
            }
            row.put(column, value);
        });
        map.put("row", row);
        map.put("cols", new ArrayList<Object>(change.changedColumns()));
        map.put("hlc", change.hlc().value());
        map.put("device", change.deviceId());
        if (!change.uniqueKeys().isEmpty()) {
            map.put("uniq", change.uniqueKeys());
        }
        return map;
    }

    private static Change decodeChange(Map<?, ?> map) {
        Map<String, Object> row = new LinkedHashMap<>();
        ((Map<?, ?>) map.get("row")).forEach((column, value) -> row.put((String) column, value));
        List<String> columns = new ArrayList<>();
        for (Object column : (List<?>) map.get("cols")) {
            columns.add((String) column);
        }
        List<List<String>> keys = new ArrayList<>();
        if (map.get("uniq") instanceof List<?> items) {
            for (Object item : items) {
                List<String> key = new ArrayList<>();
                for (Object column : (List<?>) item) {
                    key.add((String) column);
                }
                keys.add(key);
            }
        }
        return new Change(string(map, "id"), string(map, "table"), string(map, "gid"), Op.valueOf(string(map, "op")), row,
                columns, new Hlc(number(map, "hlc")), string(map, "device"), keys);
    }

    private static String string(Map<?, ?> map, String key) {
        if (!(map.get(key) instanceof String value)) {
            throw malformed("missing text field " + key);
        }
        return value;
    }

    private static long number(Map<?, ?> map, String key) {
        if (!(map.get(key) instanceof Long value)) {
            throw malformed("missing integer field " + key);
        }
        return value;
    }

    private static PocketSyncException malformed(String why) {
        return new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "malformed message: " + why);
    }

    private static void write(StringBuilder out, Object value) {
        if (value == null) {
            out.append('n');
        }
        else if (value instanceof Long number) {
            out.append('i').append(number).append(';');
        }
        else if (value instanceof String text) {
            out.append('s').append(text.length()).append(':').append(text);
        }
        else if (value instanceof List<?> list) {
            out.append('l').append(list.size()).append(':');
            list.forEach(item -> write(out, item));
        }
        else if (value instanceof Map<?, ?> map) {
            out.append('m').append(map.size()).append(':');
            map.forEach((key, item) -> {
                write(out, key);
                write(out, item);
            });
        }
        else {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "TestingCodec cannot write " + value.getClass());
        }
    }

    private static final class Reader {
        private static final int MAX_DEPTH = 32;
        final String text;
        int position;
        int depth;

        Reader(String text) {
            this.text = text;
        }

        Object read() {
            if (++depth > MAX_DEPTH) {
                throw new PocketSyncException(ErrorCode.MESSAGE_TOO_DEEP, "nested too deep");
            }
            try {
                char tag = text.charAt(position++);
                switch (tag) {
                    case 'n':
                        return null;
                    case 'i':
                        return Long.parseLong(until(';'));
                    case 's': {
                        int length = Integer.parseInt(until(':'));
                        String value = text.substring(position, position + length);
                        position += length;
                        return value;
                    }
                    case 'l': {
                        int count = Integer.parseInt(until(':'));
                        List<Object> list = new ArrayList<>();
                        for (int i = 0; i < count; i++) {
                            list.add(read());
                        }
                        return list;
                    }
                    case 'm': {
                        int count = Integer.parseInt(until(':'));
                        Map<Object, Object> map = new LinkedHashMap<>();
                        for (int i = 0; i < count; i++) {
                            map.put(read(), read());
                        }
                        return map;
                    }
                    default:
                        throw malformed("unknown tag");
                }
            }
            finally {
                depth--;
            }
        }

        private String until(char end) {
            int stop = text.indexOf(end, position);
            if (stop < 0 || stop - position > 20) {
                throw malformed("bad number");
            }
            String value = text.substring(position, stop);
            position = stop + 1;
            return value;
        }
    }

    /** An optional list of strings: null when absent. */
    private static List<String> strings(Object value) {
        if (value == null) {
            return null;
        }
        List<String> strings = new ArrayList<>();
        for (Object item : (List<?>) value) {
            strings.add((String) item);
        }
        return strings;
    }
}
