package io.pocketsync.it.hostile;

import static io.pocketsync.api.ErrorCode.AUTH_FAILED;
import static io.pocketsync.api.ErrorCode.BATCH_TOO_LARGE;
import static io.pocketsync.api.ErrorCode.CLOCK_SKEW;
import static io.pocketsync.api.ErrorCode.HELLO_REQUIRED;
import static io.pocketsync.api.ErrorCode.IDENTIFIER_INVALID;
import static io.pocketsync.api.ErrorCode.INVALID_CHANGE;
import static io.pocketsync.api.ErrorCode.INVALID_FIELD;
import static io.pocketsync.api.ErrorCode.MALFORMED_MESSAGE;
import static io.pocketsync.api.ErrorCode.MESSAGE_TOO_DEEP;
import static io.pocketsync.api.ErrorCode.MESSAGE_TOO_LARGE;
import static io.pocketsync.api.ErrorCode.PROTOCOL_VERSION_UNSUPPORTED;
import static io.pocketsync.api.ErrorCode.ROW_TOO_LARGE;
import static io.pocketsync.api.ErrorCode.SCOPE_FORBIDDEN;
import static io.pocketsync.api.ErrorCode.UNKNOWN_MESSAGE_TYPE;

import io.pocketsync.it.support.Tokens;
import io.pocketsync.testkit.codec.RawWire;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The table of hostile inputs, the same for every transport: each case in JSON and in CBOR where the
 * encoding matters. Trees are written by {@link RawWire}, independent of the codecs under test.
 */
final class HostileCases {
    /** The two encodings every transport carries. */
    enum Wire {
        JSON, CBOR;

        Frame frame(Object tree) {
            return this == JSON ? Frame.text(RawWire.json(tree)) : Frame.binary(RawWire.cbor(tree));
        }

        String tag() {
            return " [" + name().toLowerCase(java.util.Locale.ROOT) + "]";
        }
    }

    /** Limits the fixture's server runs with, so limit cases stay small. */
    static final int MAX_MESSAGE_BYTES = 64 * 1024;
    static final int MAX_BATCH = 50;
    static final int MAX_ROW_BYTES = 8 * 1024;
    /** A table name built to break out of a quoted identifier. */
    static final String SQL_INJECTION_TABLE = "items\"; DROP TABLE x; --";

    private final Tokens tokens;
    private final String evilScope;
    private final String goodScope;
    private final String goodGlobalId;
    private final List<HostileCase> cases = new ArrayList<>();
    private int counter;

    /**
     * @param tokens the server's token authority (the attacker holds a valid token of its own scope only)
     * @param evilScope the attacker's scope
     * @param goodScope the scope of the well-behaved devices
     * @param goodGlobalId the global id of a row of the good scope, which the attacker tries to overwrite
     */
    HostileCases(Tokens tokens, String evilScope, String goodScope, String goodGlobalId) {
        this.tokens = tokens;
        this.evilScope = evilScope;
        this.goodScope = goodScope;
        this.goodGlobalId = goodGlobalId;
    }

    /** Every case added so far. */
    List<HostileCase> all() {
        return List.copyOf(cases);
    }

    /** Adds the cases any transport must survive. */
    HostileCases addCommon() {
        raw("garbage text", Frame.text("{not a message at all".getBytes(StandardCharsets.UTF_8)), Expect.error(MALFORMED_MESSAGE));
        raw("garbage binary", Frame.binary(new byte[] {(byte) 0xff, 0x00, 0x13, 0x37, (byte) 0x80}),
                Expect.error(MALFORMED_MESSAGE));
        raw("lone CBOR break byte", Frame.binary(new byte[] {(byte) 0xff}), Expect.error(MALFORMED_MESSAGE));
        for (Wire wire : Wire.values()) {
            Frame hello = wire.frame(hello(1, "PLACEHOLDER", evilScope, tokens.forScope(evilScope)));
            byte[] whole = hello.bytes();
            add("truncated HELLO" + wire.tag(), d -> List.of(new Frame(Arrays.copyOf(whole, whole.length / 2), hello.binary(), null)),
                    Expect.error(MALFORMED_MESSAGE));
            add("array instead of a map" + wire.tag(), d -> List.of(wire.frame(List.of(1L, 2L))), Expect.error(MALFORMED_MESSAGE, INVALID_FIELD));
            add("bare string" + wire.tag(), d -> List.of(wire.frame("HELLO")), Expect.error(MALFORMED_MESSAGE, INVALID_FIELD));
            add("null" + wire.tag(), d -> List.of(wire.frame(null)), Expect.error(MALFORMED_MESSAGE, INVALID_FIELD));
            add("empty map" + wire.tag(), d -> List.of(wire.frame(Map.of())), Expect.error(MALFORMED_MESSAGE, INVALID_FIELD));
            add("unknown message type" + wire.tag(), d -> List.of(wire.frame(map("type", "EXPLODE", "v", 1L))),
                    Expect.error(UNKNOWN_MESSAGE_TYPE));
            add("type of wrong type" + wire.tag(), d -> List.of(wire.frame(map("type", 7L, "v", 1L))),
                    Expect.error(MALFORMED_MESSAGE, INVALID_FIELD, UNKNOWN_MESSAGE_TYPE));
            add("protocol version 99" + wire.tag(), d -> List.of(wire.frame(hello(99, d, evilScope, tokens.forScope(evilScope)))),
                    Expect.error(PROTOCOL_VERSION_UNSUPPORTED));
            add("protocol version 0" + wire.tag(), d -> List.of(wire.frame(hello(0, d, evilScope, tokens.forScope(evilScope)))),
                    Expect.error(PROTOCOL_VERSION_UNSUPPORTED));
            add("version as a string" + wire.tag(), d -> List.of(wire.frame(with(hello(1, d, evilScope, tokens.forScope(evilScope)), "v", "1"))),
                    Expect.error(MALFORMED_MESSAGE, INVALID_FIELD));
            add("cursor as a string" + wire.tag(), d -> List.of(wire.frame(with(hello(1, d, evilScope, tokens.forScope(evilScope)), "cursor", "zero"))),
                    Expect.error(MALFORMED_MESSAGE, INVALID_FIELD));
            add("device as a number" + wire.tag(), d -> List.of(wire.frame(with(hello(1, d, evilScope, tokens.forScope(evilScope)), "device", 123L))),
                    Expect.error(MALFORMED_MESSAGE, INVALID_FIELD, SCOPE_FORBIDDEN));
            add("token as a list" + wire.tag(), d -> List.of(wire.frame(with(hello(1, d, evilScope, ""), "token", List.of("a")))),
                    Expect.error(MALFORMED_MESSAGE, INVALID_FIELD));
            add("hlc as a map" + wire.tag(), d -> List.of(wire.frame(with(hello(1, d, evilScope, tokens.forScope(evilScope)), "hlc", Map.of("x", 1L)))),
                    Expect.error(MALFORMED_MESSAGE, INVALID_FIELD));
            add("missing scope" + wire.tag(), d -> List.of(wire.frame(without(hello(1, d, evilScope, tokens.forScope(evilScope)), "scope"))),
                    Expect.error(MALFORMED_MESSAGE, INVALID_FIELD));
            add("deeply nested extra field" + wire.tag(), d -> List.of(wire.frame(with(hello(1, d, evilScope, tokens.forScope(evilScope)),
                    "extra", new RawWire.Nested(20_000)))), Expect.error(MESSAGE_TOO_DEEP, MALFORMED_MESSAGE));
            add("oversized message" + wire.tag(), d -> List.of(wire.frame(with(hello(1, d, evilScope, tokens.forScope(evilScope)),
                    "padding", "x".repeat(MAX_MESSAGE_BYTES + 1024)))), Expect.errorOrClose(MESSAGE_TOO_LARGE));
            add("PUSH before HELLO" + wire.tag(), d -> List.of(wire.frame(push(d, change(d, "items", "gid-1", Map.of("id", "x"))))),
                    Expect.error(HELLO_REQUIRED));
            add("PING before HELLO" + wire.tag(), d -> List.of(wire.frame(map("type", "PING", "v", 1L, "nonce", 1L))),
                    Expect.error(HELLO_REQUIRED));
            add("server message (ACK) from a device" + wire.tag(), d -> List.of(goodHello(wire, d),
                    wire.frame(map("type", "ACK", "v", 1L, "batch", "b", "results", List.of(), "hlc", 0L))),
                    Expect.error(UNKNOWN_MESSAGE_TYPE));

            // credentials
            add("wrong token" + wire.tag(), d -> List.of(wire.frame(hello(1, d, evilScope, "not-a-token"))), Expect.error(AUTH_FAILED));
            add("empty token" + wire.tag(), d -> List.of(wire.frame(hello(1, d, evilScope, ""))), Expect.error(AUTH_FAILED));
            add("forged signature" + wire.tag(), d -> List.of(wire.frame(hello(1, d, evilScope, new Tokens().forScope(evilScope)))),
                    Expect.error(AUTH_FAILED));
            add("expired token" + wire.tag(), d -> List.of(wire.frame(hello(1, d, evilScope, tokens.expired(evilScope, Duration.ofMinutes(5))))),
                    Expect.error(AUTH_FAILED));
            // a valid token of another scope is answered like a wrong one (AUTH_FAILED); over MQTT the HELLO comes on the
            // attacker's own topic, whose scope differs from the HELLO's: SCOPE_FORBIDDEN before any token is checked
            add("token of another scope" + wire.tag(), d -> List.of(wire.frame(hello(1, d, goodScope, tokens.forScope(evilScope)))),
                    Expect.error(AUTH_FAILED, SCOPE_FORBIDDEN));
            add("second HELLO switching to the good scope" + wire.tag(), d -> List.of(goodHello(wire, d),
                    wire.frame(hello(1, d, goodScope, tokens.forScope(evilScope)))),
                    Expect.error(AUTH_FAILED, SCOPE_FORBIDDEN, INVALID_FIELD));

            // identifiers that would escape SQL, topics or keys
            for (String bad : List.of("a/b", "+", "#", "a b", "x\"; DROP TABLE items; --")) {
                add("scope " + bad + wire.tag(), d -> List.of(wire.frame(hello(1, d, bad, tokens.forScope(evilScope)))),
                        Expect.error(IDENTIFIER_INVALID, SCOPE_FORBIDDEN));
            }
            for (String bad : List.of("a/b", "+", "#")) {
                add("device " + bad + wire.tag(), d -> List.of(wire.frame(hello(1, bad, evilScope, tokens.forScope(evilScope)))),
                        Expect.error(IDENTIFIER_INVALID, SCOPE_FORBIDDEN));
            }
            // table and column names are data to the server (always quoted, bound as parameters; devices check
            // them against their schema): such a change is stored verbatim in the attacker's own scope, nothing runs
            String injection = SQL_INJECTION_TABLE;
            add("SQL injection in the table name" + wire.tag(), d -> List.of(goodHello(wire, d),
                    wire.frame(push(d, change(d, injection, "gid-sql-1", Map.of("id", "x"))))), Expect.applied());
            add("SQL injection in a column name" + wire.tag(), d -> List.of(goodHello(wire, d),
                    wire.frame(push(d, change(d, "items", "gid-sql-2", Map.of("name\" TEXT); DROP TABLE items; --", "x"))))),
                    Expect.applied());
            // a row id outside [A-Za-z0-9._:-] is refused like every device would refuse it (ChangeRules), not stored
            add("SQL injection in the row id" + wire.tag(), d -> List.of(goodHello(wire, d),
                    wire.frame(push(d, change(d, "items", "g' OR '1'='1", Map.of("id", "x"))))), Expect.rejected(IDENTIFIER_INVALID));
            add("an emoji in the row id" + wire.tag(), d -> List.of(goodHello(wire, d),
                    wire.frame(push(d, change(d, "items", "row-\uD83D\uDE00", Map.of("id", "x"))))), Expect.rejected(IDENTIFIER_INVALID));
            add("ps_global_id inside the row" + wire.tag(), d -> List.of(goodHello(wire, d),
                    wire.frame(push(d, change(d, "items", "gid-3", Map.of("id", "x", "ps_global_id", goodGlobalId))))),
                    Expect.rejected(INVALID_CHANGE));
            add("change signed by another device" + wire.tag(), d -> List.of(goodHello(wire, d),
                    wire.frame(push(d, change("someone-else", "items", "gid-4", Map.of("id", "x"))))), Expect.rejected(INVALID_CHANGE));
            add("change from the far future" + wire.tag(), d -> List.of(goodHello(wire, d),
                    wire.frame(push(d, with(change(d, "items", "gid-5", Map.of("id", "x")), "hlc",
                            (System.currentTimeMillis() + Duration.ofDays(365).toMillis()) << 16)))), Expect.rejected(CLOCK_SKEW));
            add("row over the row limit" + wire.tag(), d -> List.of(goodHello(wire, d),
                    wire.frame(push(d, change(d, "items", "gid-6", Map.of("id", "x", "name", "y".repeat(MAX_ROW_BYTES * 2)))))),
                    Expect.rejected(ROW_TOO_LARGE));
            add("batch over the batch limit" + wire.tag(), d -> List.of(goodHello(wire, d), wire.frame(bigPush(d))),
                    Expect.error(BATCH_TOO_LARGE));
            boolean json = wire == Wire.JSON;
            add("fragment announcing more than the server rebuilds" + wire.tag(), d -> List.of(goodHello(wire, d),
                    Frame.binary(fragment(json, 0, 2, 1 << 30, 100))), Expect.errorOrClose(MESSAGE_TOO_LARGE));
            add("fragment out of order" + wire.tag(), d -> List.of(goodHello(wire, d), Frame.binary(fragment(json, 1, 3, 300, 100))),
                    Expect.error(MALFORMED_MESSAGE));
            add("whole message between fragments" + wire.tag(), d -> List.of(goodHello(wire, d),
                    Frame.binary(fragment(json, 0, 2, 200, 100)), wire.frame(map("type", "PING", "v", 1L, "nonce", 1L))),
                    Expect.error(MALFORMED_MESSAGE));
            add("changes as a string" + wire.tag(), d -> List.of(goodHello(wire, d),
                    wire.frame(map("type", "PUSH", "v", 1L, "batch", "b", "changes", "all of them"))),
                    Expect.error(MALFORMED_MESSAGE, INVALID_FIELD));
            add("op unknown" + wire.tag(), d -> List.of(goodHello(wire, d),
                    wire.frame(push(d, with(change(d, "items", "gid-7", Map.of("id", "x")), "op", "TRUNCATE")))),
                    Expect.error(MALFORMED_MESSAGE, INVALID_FIELD));
            add("nested row value" + wire.tag(), d -> List.of(goodHello(wire, d),
                    wire.frame(push(d, change(d, "items", "gid-8", Map.of("id", Map.of("deep", List.of(1L))))))),
                    Expect.error(MALFORMED_MESSAGE, INVALID_FIELD));
            add("push aimed at the good scope's row lands in its own scope" + wire.tag(), d -> List.of(goodHello(wire, d),
                    wire.frame(push(d, change(d, "items", goodGlobalId, Map.of("id", "owned", "name", "pwned"))))), Expect.acked());
        }
        return this;
    }

    /** The attacker's HELLO with a valid token for its own scope. */
    Frame goodHello(Wire wire, String device) {
        return wire.frame(hello(1, device, evilScope, tokens.forScope(evilScope)));
    }

    /** A HELLO answered AUTH_FAILED, used to prove that earlier frames were processed and dropped. */
    Frame sentinel(Wire wire, String device) {
        return wire.frame(hello(1, device, evilScope, "sentinel-wrong-token"));
    }

    String nextDevice() {
        return "evil-" + (++counter);
    }

    void add(String name, Function<String, List<Frame>> frames, Expect expect) {
        String device = nextDevice();
        cases.add(new HostileCase(name, device, frames.apply(device), expect));
    }

    private void raw(String name, Frame frame, Expect expect) {
        add(name, d -> List.of(frame), expect);
    }

    static Map<String, Object> hello(long version, String device, String scope, String token) {
        return map("type", "HELLO", "v", version, "device", device, "scope", scope, "token", token, "cursor", 0L, "hlc", 0L);
    }

    static Map<String, Object> change(String device, String table, String gid, Map<String, Object> row) {
        return map("id", "c-" + java.util.UUID.randomUUID(), "table", table, "gid", gid, "op", "INSERT", "row", row,
                "cols", List.of(), "hlc", System.currentTimeMillis() << 16, "device", device);
    }

    static Map<String, Object> push(String device, Map<String, Object>... changes) {
        return map("type", "PUSH", "v", 1L, "batch", "b-" + device, "changes", List.of(changes));
    }

    private Map<String, Object> bigPush(String device) {
        List<Object> changes = new ArrayList<>();
        for (int i = 0; i <= MAX_BATCH; i++) {
            changes.add(change(device, "items", "gid-big-" + i, Map.of("id", "big-" + i)));
        }
        return map("type", "PUSH", "v", 1L, "batch", "b-big", "changes", changes);
    }

    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    static Map<String, Object> with(Map<String, Object> tree, String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(tree);
        copy.put(key, value);
        return copy;
    }

    static Map<String, Object> without(Map<String, Object> tree, String key) {
        Map<String, Object> copy = new LinkedHashMap<>(tree);
        copy.remove(key);
        return copy;
    }

    /** A fragment frame (docs/protocol.md 1.1) of message 7 with a zero-filled slice. */
    private static byte[] fragment(boolean json, int index, int count, int totalBytes, int sliceBytes) {
        return java.nio.ByteBuffer.allocate(21 + sliceBytes).put(new byte[] {'P', 'S', 'F', '1'}).put((byte) (json ? 1 : 0))
                .putInt(7).putInt(index).putInt(count).putInt(totalBytes).array();
    }
}
