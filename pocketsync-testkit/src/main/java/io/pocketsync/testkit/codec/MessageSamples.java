package io.pocketsync.testkit.codec;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.auth.Grant;
import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.RowHash;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.AppliedRange;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Scoped;
import io.pocketsync.api.protocol.Verify;
import io.pocketsync.api.protocol.Welcome;
import java.util.ArrayList;
import java.util.List;

/**
 * Sample protocol messages: at least one of every type, every {@link Op}, {@link ChangesMode},
 * {@link io.pocketsync.api.protocol.ChangeStatus} and {@link ErrorCode}, and row values that stress an
 * encoding (nulls, unicode, blobs, reals, extreme longs, empty collections). Useful for codec, transport
 * and engine tests. Every method returns fresh immutable values.
 */
public final class MessageSamples {
    private static final int V = ProtocolVersion.CURRENT;

    private MessageSamples() {}

    /**
     * A HELLO with a token, a cursor, a clock and the fragment bound.
     *
     * @return the message
     */
    public static Hello hello() {
        return new Hello(V, "dev-a", "user:alice@example.com", "s3cr3t-token", 42, Hlc.of(1_700_000_000_000L, 1), 32 << 20);
    }

    /**
     * A protocol 2 HELLO subscribed to two tables.
     *
     * @return the sample
     */
    public static Hello subscribedHello() {
        return new Hello(V, "dev-c", "team:7", "t0k", 9, Hlc.of(1_700_000_000_000L, 0), 0, List.of("todo", "note"));
    }

    /**
     * A HELLO with an empty token.
     *
     * @return the message
     */
    public static Hello anonymousHello() {
        return new Hello(V, "dev-b", "public", "", 0, Hlc.ZERO);
    }

    /**
     * A WELCOME of a device that may sync, with the row and fragment limits.
     *
     * @return the message
     */
    public static Welcome welcome() {
        return new Welcome(V, "session-1", Hlc.of(1_700_000_000_005L, 9), 1234, false, 500, 1 << 20, 1_700_000_000_004L,
                16 << 20, 32 << 20, 1200);
    }

    /**
     * A WELCOME of a read-only session that says its grant (protocol 4).
     *
     * @return the message
     */
    public static Welcome grantWelcome() {
        return new Welcome(V, "session-2", Hlc.of(1_700_000_000_006L, 1), 77, false, 1000, 1 << 20, 1_700_000_000_006L,
                0, 0, 0, Grant.READ_ONLY);
    }

    /**
     * A WELCOME that asks for a full resync.
     *
     * @return the message
     */
    public static Welcome resyncWelcome() {
        return new Welcome(V, "s", Hlc.ZERO, 0, true, 0, Integer.MAX_VALUE);
    }

    /**
     * A PUSH of every sample change.
     *
     * @return the message
     */
    public static Push push() {
        return new Push(V, "batch-1", ChangeSamples.changes());
    }

    /**
     * A PUSH without changes.
     *
     * @return the message
     */
    public static Push emptyPush() {
        return new Push(V, "batch-0", List.of());
    }

    /**
     * An ACK with every status (APPLIED with and without a merged row, with and without the replaced state's sequence
     * {@code prev}, 0 for a new row, DUPLICATE, SUPERSEDED, REJECTED).
     *
     * @return the message
     */
    public static Ack ack() {
        return new Ack(V, "batch-1", List.of(
                ChangeResult.applied("dev-a:1", 1),
                ChangeResult.applied("dev-a:2", Long.MAX_VALUE, ChangeSamples.update()).withPrevious(Long.MAX_VALUE - 1),
                ChangeResult.duplicate("dev-a:3"),
                ChangeResult.superseded("dev-a:4", ChangeSamples.insertWithEveryValueType()),
                ChangeResult.rejected("dev-a:5", ErrorCode.CLOCK_SKEW, "clock 10 minutes ahead"),
                new ChangeResult("dev-a:6", io.pocketsync.api.protocol.ChangeStatus.REJECTED, 0, null,
                        ErrorCode.RESOLVER_REJECTED, null),
                ChangeResult.applied("dev-a:7", 12).withPrevious(0),
                ChangeResult.applied("dev-a:8", 13).withPrevious(5)),
                Hlc.of(1_700_000_000_010L, 0), 1_700_000_000_012L);
    }

    /**
     * A bulk page: INSERT images of rows a table held when it was first tracked (protocol.md 3.2a).
     *
     * @return the message
     */
    public static Push bulkPush() {
        return new Push(V, "bulk-1", List.of(ChangeSamples.insertWithEveryValueType()), true);
    }

    /**
     * The compact ACK of a bulk page: only the changes not simply applied are named, the others took sequences of
     * {@code applied}.
     *
     * @return the message
     */
    public static Ack compactAck() {
        return new Ack(V, "bulk-1", List.of(
                ChangeResult.superseded("dev-a:b:7", ChangeSamples.insertWithEveryValueType()),
                ChangeResult.rejected("dev-a:b:9", ErrorCode.UNIQUE_CONFLICT, "email taken")),
                Hlc.of(1_700_000_000_010L, 0), 1_700_000_000_012L, new AppliedRange(41, 1_040, 1_000));
    }

    /**
     * The compact ACK of a bulk page none of whose changes was simply applied (a page sent again: all DUPLICATE).
     *
     * @return the message
     */
    public static Ack compactAckNoneApplied() {
        return new Ack(V, "bulk-2", List.of(ChangeResult.duplicate("dev-a:b:1")), Hlc.of(1_700_000_000_010L, 0), 0,
                AppliedRange.NONE);
    }

    /**
     * An ACK without results.
     *
     * @return the message
     */
    public static Ack emptyAck() {
        return new Ack(V, "b", List.of(), Hlc.ZERO);
    }

    /**
     * One CHANGES per mode.
     *
     * @return the messages
     */
    public static List<Changes> changesMessages() {
        return List.of(
                new Changes(V, ChangesMode.LIVE, List.of(ChangeSamples.update()), 10, 11, false, 0),
                new Changes(V, ChangesMode.LIVE, List.of(), 11, 12, false, 0),
                new Changes(V, ChangesMode.CATCH_UP, ChangeSamples.changes(), 0, 500, true, Long.MAX_VALUE),
                new Changes(V, ChangesMode.SNAPSHOT, List.of(ChangeSamples.insertWithEveryValueType()), 7, 7, false, 0),
                new Changes(V, ChangesMode.LIVE, List.of(ChangeSamples.update()), 12, 14, false, 0, List.of(13L)),
                new Changes(V, ChangesMode.CATCH_UP, ChangeSamples.changes(), 0, 500, false, 0, sequences(ChangeSamples.changes().size())),
                new Changes(V, ChangesMode.SNAPSHOT, List.of(ChangeSamples.insertWithEveryValueType()), 0, 99, false, 0, List.of(99L))
                        .withChecksums((Checksums) verifications().get(3)),
                // protocol 4: a page of a table catch-up names its tables
                new Changes(V, ChangesMode.CATCH_UP, ChangeSamples.changes(), 0, 480, true, 20, sequences(ChangeSamples.changes().size()))
                        .withTables(List.of("todo", "tag")));
    }

    /** {@code count} increasing server sequences, one per change of a page. */
    private static List<Long> sequences(int count) {
        List<Long> sequences = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            sequences.add(100L + i * 3);
        }
        return sequences;
    }

    /**
     * A PULL, asking for the (fine) checksums with its final page, as a device before checksum levels does.
     *
     * @return the message
     */
    public static Pull pull() {
        return new Pull(V, 42, 500, 57, true, true);
    }

    /**
     * A PULL of a table catch-up (protocol 4): two tables from their own cursor, the device's own rows included.
     *
     * @return the message
     */
    public static Pull tablesPull() {
        return new Pull(V, 480, 1000, 0, true, null, List.of("todo", "tag"));
    }

    /**
     * A PULL asking for the coarse checksums with its final page.
     *
     * @return the message
     */
    public static Pull coarsePull() {
        return new Pull(V, 7, 100, 0, false, ChecksumLevel.COARSE);
    }

    /**
     * One ERROR per code; every other one has a ref.
     *
     * @return the messages
     */
    public static List<ErrorMessage> errors() {
        List<ErrorMessage> errors = new ArrayList<>();
        ErrorCode[] codes = ErrorCode.values();
        for (int i = 0; i < codes.length; i++) {
            errors.add(new ErrorMessage(V, codes[i], "reason for " + codes[i] + " — ü", i % 2 == 0 ? null : "batch-" + i));
        }
        return errors;
    }

    /**
     * A PING and a PONG.
     *
     * @return the messages
     */
    public static List<Message> pings() {
        return List.of(new Ping(V, 0), new Ping(V, Long.MIN_VALUE), new Pong(V, Long.MAX_VALUE), new Pong(V, -5));
    }

    /**
     * VERIFY questions and CHECKSUMS answers of each kind (docs/protocol.md 4.2).
     *
     * @return the messages
     */
    public static List<Message> verifications() {
        TableChecksum.Builder todo = new TableChecksum.Builder("todo");
        todo.add("g1", RowHash.of("todo", "g1", ChangeSamples.insertWithEveryValueType().row()));
        todo.add("g2", Long.MIN_VALUE);
        todo.add("g3", -1);
        return List.of(new Verify(V, 1, null, List.of(), List.of()), new Verify(V, 2, "todo", List.of(0, 17, 255), List.of()),
                new Verify(V, Long.MAX_VALUE, "todo", List.of(), List.of("g1", "g2")),
                new Checksums(V, 1, 99, List.of(todo.build(), TableChecksum.empty("note")), List.of(), List.of(), List.of(), List.of()),
                new Checksums(V, 2, 99, List.of(), List.of("g1", "g2"), List.of(Long.MIN_VALUE, 42L), List.of(), List.of()),
                new Checksums(V, 3, 99, List.of(), List.of(), List.of(), List.of(ChangeSamples.update(), ChangeSamples.delete()), List.of(98L, 99L)),
                new Checksums(V, 4, 0, List.of(), List.of(), List.of(), List.of(), List.of()),
                Verify.checksums(V, 5, null, ChecksumLevel.COARSE), Verify.checksums(V, 6, "todo", ChecksumLevel.FINE),
                new Checksums(V, 5, 99, List.of(todo.build().coarse()), List.of(), List.of(), List.of(), List.of()),
                new Checksums(V, 6, 99, List.of(todo.build()), List.of(), List.of(), List.of(), List.of()));
    }

    /**
     * Messages of one scope's session on a connection of several (protocol 3, docs/protocol.md 3.9): each kind a device
     * or a server tags with {@code scope}, scopes with the characters ids allow.
     *
     * @return the messages
     */
    public static List<Message> scopedMessages() {
        return List.of(new Scoped("team-42", push()), new Scoped("user:alice@example.com", ack()),
                new Scoped("team-42", changesMessages().get(0)), new Scoped("a.b_c", pull()),
                new Scoped("team-42", welcome()), new Scoped("team-42", errors().get(0)), new Scoped("x", new Ping(V, 7)),
                new Scoped("team-42", verifications().get(1)));
    }

    /**
     * Every sample message.
     *
     * @return the messages
     */
    public static List<Message> all() {
        List<Message> all = new ArrayList<>();
        all.add(hello());
        all.add(anonymousHello());
        all.add(subscribedHello());
        all.add(welcome());
        all.add(resyncWelcome());
        all.add(grantWelcome());
        all.add(push());
        all.add(emptyPush());
        all.add(ack());
        all.add(emptyAck());
        all.add(bulkPush());
        all.add(compactAck());
        all.add(compactAckNoneApplied());
        all.addAll(changesMessages());
        all.add(pull());
        all.add(coarsePull());
        all.add(tablesPull());
        all.addAll(errors());
        all.addAll(pings());
        all.addAll(verifications());
        all.addAll(scopedMessages());
        return List.copyOf(all);
    }

    /**
     * A short label for a sample, for test names.
     *
     * @param message a sample
     * @return its type, plus the code of an ERROR or the mode and size of a CHANGES
     */
    public static String label(Message message) {
        if (message instanceof Scoped scoped) {
            return label(scoped.message()) + " @" + scoped.scope();
        }
        if (message instanceof ErrorMessage error) {
            return "ERROR " + error.code();
        }
        if (message instanceof Changes changes) {
            return "CHANGES " + changes.mode() + " x" + changes.changes().size();
        }
        return message.type() + " " + Integer.toHexString(message.hashCode());
    }
}
