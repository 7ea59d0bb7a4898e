package io.pocketsync.testkit.codec;

import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Scoped;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Verify;
import io.pocketsync.api.protocol.Welcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent transcription of {@code docs/protocol.md} section 2: a message as a plain tree of
 * maps, lists, strings, longs, doubles, booleans, nulls and {@code byte[]} blobs. Codec tests write
 * these trees with {@link RawWire} to check that a codec reads the documented format (not only its
 * own output), and mutate them to build malformed input.
 */
public final class WireTrees {
    private WireTrees() {}

    /**
     * The documented tree of {@code message}; mutable, so tests can alter it.
     *
     * @param message a message
     * @return the tree: maps, lists and scalars
     */
    public static Map<String, Object> of(Message message) {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("type", message.type().name());
        tree.put("v", (long) message.protocolVersion());
        if (message instanceof Scoped scoped) {
            tree.put("scope", scoped.scope());
            Map<String, Object> body = of(scoped.message());
            body.remove("type");
            body.remove("v");
            tree.putAll(body);
        }
        else if (message instanceof Hello hello) {
            tree.put("device", hello.deviceId());
            tree.put("scope", hello.scope());
            tree.put("token", hello.token());
            tree.put("cursor", hello.cursor());
            tree.put("hlc", hello.deviceHlc().value());
            if (hello.maxAssembledBytes() > 0) {
                tree.put("maxAssembled", (long) hello.maxAssembledBytes());
            }
            if (hello.tables() != null) {
                tree.put("tables", new ArrayList<Object>(hello.tables()));
            }
        }
        else if (message instanceof Welcome welcome) {
            tree.put("session", welcome.sessionId());
            tree.put("hlc", welcome.serverHlc().value());
            tree.put("head", welcome.headCursor());
            tree.put("resync", welcome.resyncRequired());
            tree.put("maxBatch", (long) welcome.maxBatchChanges());
            tree.put("maxBytes", (long) welcome.maxMessageBytes());
            if (welcome.serverTimeMillis() > 0) {
                tree.put("time", welcome.serverTimeMillis());
            }
            if (welcome.deviceMark() > 0) {
                tree.put("own", welcome.deviceMark());
            }
            if (welcome.maxRowBytes() > 0) {
                tree.put("maxRow", (long) welcome.maxRowBytes());
            }
            if (welcome.maxAssembledBytes() > 0) {
                tree.put("maxAssembled", (long) welcome.maxAssembledBytes());
            }
            if (welcome.grant() != null) {
                tree.put("grant", welcome.grant().shortForm());
            }
        }
        else if (message instanceof Push push) {
            tree.put("batch", push.batchId());
            if (push.bulk()) {
                tree.put("bulk", true);
            }
            tree.put("changes", changes(push.changes()));
        }
        else if (message instanceof Ack ack) {
            tree.put("batch", ack.batchId());
            List<Object> results = new ArrayList<>();
            for (ChangeResult result : ack.results()) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("id", result.changeId());
                item.put("status", result.status().name());
                item.put("seq", result.sequence());
                if (result.previousKnown()) {
                    item.put("prev", result.previous());
                }
                if (result.winner() != null) {
                    item.put("winner", change(result.winner()));
                }
                if (result.errorCode() != null) {
                    item.put("code", result.errorCode().name());
                }
                if (result.message() != null) {
                    item.put("message", result.message());
                }
                results.add(item);
            }
            tree.put("results", results);
            tree.put("hlc", ack.serverHlc().value());
            if (ack.serverTimeMillis() > 0) {
                tree.put("time", ack.serverTimeMillis());
            }
            if (ack.applied() != null) {
                Map<String, Object> applied = new LinkedHashMap<>();
                applied.put("from", ack.applied().from());
                applied.put("to", ack.applied().to());
                applied.put("count", (long) ack.applied().count());
                tree.put("applied", applied);
            }
        }
        else if (message instanceof Changes changes) {
            tree.put("mode", changes.mode().name());
            tree.put("changes", changes(changes.changes()));
            tree.put("from", changes.fromCursor());
            tree.put("cursor", changes.cursor());
            tree.put("more", changes.hasMore());
            tree.put("remaining", changes.estimatedRemaining());
            if (!changes.sequences().isEmpty()) {
                tree.put("seqs", new ArrayList<Object>(changes.sequences()));
            }
            if (changes.checksums() != null) {
                Map<String, Object> sums = new LinkedHashMap<>();
                checksumsTree(sums, changes.checksums());
                tree.put("sums", sums);
            }
            if (changes.tables() != null) {
                tree.put("tables", new ArrayList<Object>(changes.tables()));
            }
        }
        else if (message instanceof Pull pull) {
            tree.put("cursor", pull.cursor());
            tree.put("limit", (long) pull.limit());
            if (pull.ownFrom() > 0) {
                tree.put("own", pull.ownFrom());
            }
            if (pull.self()) {
                tree.put("self", true);
            }
            if (pull.sums() != null) {
                tree.put("sums", true);
                tree.put("level", pull.sums().wireName());
            }
            if (pull.tables() != null) {
                tree.put("tables", new ArrayList<Object>(pull.tables()));
            }
        }
        else if (message instanceof ErrorMessage error) {
            tree.put("code", error.code().name());
            tree.put("number", (long) error.code().number());
            tree.put("message", error.message());
            if (error.refId() != null) {
                tree.put("ref", error.refId());
            }
        }
        else if (message instanceof Ping ping) {
            tree.put("nonce", ping.nonce());
        }
        else if (message instanceof Pong pong) {
            tree.put("nonce", pong.nonce());
        }
        else if (message instanceof Verify verify) {
            tree.put("id", verify.requestId());
            tree.put("alg", verify.algorithm());
            if (verify.table() != null) {
                tree.put("table", verify.table());
            }
            if (verify.level() != null) {
                tree.put("level", verify.level().wireName());
            }
            if (!verify.buckets().isEmpty()) {
                List<Object> buckets = new ArrayList<>();
                verify.buckets().forEach(bucket -> buckets.add((long) bucket));
                tree.put("buckets", buckets);
            }
            if (!verify.globalIds().isEmpty()) {
                tree.put("gids", new ArrayList<Object>(verify.globalIds()));
            }
        }
        else if (message instanceof Checksums checksums) {
            checksumsTree(tree, checksums);
        }
        return tree;
    }

    private static void checksumsTree(Map<String, Object> tree, Checksums checksums) {
        tree.put("id", checksums.requestId());
        tree.put("seq", checksums.sequence());
        tree.put("alg", checksums.algorithm());
        if (!checksums.tables().isEmpty()) {
            List<Object> tables = new ArrayList<>();
            for (TableChecksum table : checksums.tables()) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("table", table.table());
                item.put("count", table.count());
                item.put("sum", table.sum());
                List<Object> counts = new ArrayList<>();
                List<Object> sums = new ArrayList<>();
                for (int bucket = 0; bucket < table.level().buckets(); bucket++) {
                    counts.add(table.bucketCount(bucket));
                    sums.add(table.bucketSum(bucket));
                }
                item.put("counts", counts);
                item.put("sums", sums);
                tables.add(item);
            }
            tree.put("tables", tables);
        }
        if (!checksums.globalIds().isEmpty()) {
            tree.put("gids", new ArrayList<Object>(checksums.globalIds()));
            tree.put("hashes", new ArrayList<Object>(checksums.hashes()));
        }
        if (!checksums.rows().isEmpty()) {
            tree.put("changes", changes(checksums.rows()));
            tree.put("seqs", new ArrayList<Object>(checksums.sequences()));
        }
    }

    private static List<Object> changes(List<Change> changes) {
        List<Object> list = new ArrayList<>();
        for (Change change : changes) {
            list.add(change(change));
        }
        return list;
    }

    /**
     * The documented tree of one change.
     *
     * @param change a change
     * @return the tree: maps, lists and scalars
     */
    public static Map<String, Object> change(Change change) {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("id", change.changeId());
        tree.put("table", change.table());
        tree.put("gid", change.globalId());
        tree.put("op", change.op().name());
        tree.put("row", new LinkedHashMap<String, Object>(change.row()));
        tree.put("cols", new ArrayList<Object>(change.changedColumns()));
        tree.put("hlc", change.hlc().value());
        tree.put("device", change.deviceId());
        if (!change.uniqueKeys().isEmpty()) {
            List<Object> keys = new ArrayList<>();
            for (List<String> key : change.uniqueKeys()) {
                keys.add(new ArrayList<Object>(key));
            }
            tree.put("uniq", keys);
        }
        return tree;
    }

    /**
     * A deep copy of a tree, mutable at every level.
     *
     * @param tree maps, lists and scalars
     * @return the copy
     */
    @SuppressWarnings("unchecked")
    public static Object copy(Object tree) {
        if (tree instanceof Map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            ((Map<String, Object>) tree).forEach((k, v) -> copy.put(k, copy(v)));
            return copy;
        }
        if (tree instanceof List) {
            List<Object> copy = new ArrayList<>();
            for (Object item : (List<Object>) tree) {
                copy.add(copy(item));
            }
            return copy;
        }
        return tree;
    }
}
