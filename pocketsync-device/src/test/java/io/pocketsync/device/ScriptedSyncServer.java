package io.pocketsync.device;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.api.transport.Connection;
import io.pocketsync.api.transport.ConnectionListener;
import io.pocketsync.api.transport.ServerTransport;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A small scripted sync server for device tests (the real server engine lives elsewhere): one scope,
 * last-write-wins by (HLC, device), per-row latest state, LIVE broadcast, catch-up pages, and a hook
 * to override the verdict of pushed changes. Runs on the transport's threads; synchronized.
 */
final class ScriptedSyncServer {
    record Row(Change change, long seq) {}

    final List<Change> log = new ArrayList<>();
    final Map<String, Row> rows = new LinkedHashMap<>();
    private final Set<String> seen = new HashSet<>();
    private final Map<Connection, String> devices = new ConcurrentHashMap<>();
    private final int maxBatch;
    volatile Function<Change, ChangeResult> verdict = change -> null;
    /** Changes the next ACKs leave out (not stored, not answered), as a server may (protocol.md 3.2). */
    volatile java.util.function.Predicate<Change> unanswered = change -> false;
    private long hlc;
    /** Whether a final page answering a PULL with {@code sums} carries the checksums, as the real server's does. */
    volatile boolean checksumsWithFinalPage = true;
    volatile int pagesWithChecksums;
    /** The answer to a VERIFY; null: refused as an unknown message, as a server that predates checksums does. */
    volatile Function<io.pocketsync.api.protocol.Verify, Message> verification = verify -> null;
    final List<io.pocketsync.api.protocol.Verify> verifications = new java.util.concurrent.CopyOnWriteArrayList<>();

    ScriptedSyncServer(ServerTransport transport, int maxBatch) {
        this.maxBatch = maxBatch;
        transport.start(connection -> new ConnectionListener() {
            @Override
            public void onMessage(Message message) {
                handle(connection, message);
            }

            @Override
            public void onClose() {
                devices.remove(connection);
            }
        });
    }

    synchronized long head() {
        return log.size();
    }

    synchronized List<Change> logCopy() {
        return List.copyOf(log);
    }

    private synchronized void handle(Connection connection, Message message) {
        if (message instanceof Hello hello) {
            devices.put(connection, hello.deviceId());
            hlc = Math.max(hlc, hello.deviceHlc().value());
            connection.send(new Welcome(ProtocolVersion.CURRENT, "s", new Hlc(hlc), log.size(), false, maxBatch, 1 << 20));
        }
        else if (message instanceof Push push) {
            long from = log.size();
            List<ChangeResult> results = new ArrayList<>();
            List<Change> applied = new ArrayList<>();
            for (Change change : push.changes()) {
                hlc = Math.max(hlc, change.hlc().value());
                if (unanswered.test(change)) {
                    continue;
                }
                ChangeResult forced = verdict.apply(change);
                if (forced != null) {
                    results.add(forced);
                    continue;
                }
                if (!seen.add(change.changeId())) {
                    results.add(ChangeResult.duplicate(change.changeId()));
                    continue;
                }
                String key = change.table() + "/" + change.globalId();
                Row current = rows.get(key);
                if (current != null && current.change().version().isAfter(change.version())) {
                    results.add(ChangeResult.superseded(change.changeId(), current.change(), current.seq()));
                    continue;
                }
                log.add(change);
                rows.put(key, new Row(change, log.size()));
                applied.add(change);
                results.add(ChangeResult.applied(change.changeId(), log.size()));
            }
            connection.send(new Ack(ProtocolVersion.CURRENT, push.batchId(), results, new Hlc(hlc)));
            String sender = devices.get(connection);
            // Like the real server: each change carries its server sequence (protocol.md 3.3).
            List<Long> sequences = java.util.stream.LongStream.rangeClosed(from + 1, log.size()).boxed().toList();
            devices.forEach((other, device) -> other.send(device.equals(sender)
                    ? new Changes(ProtocolVersion.CURRENT, ChangesMode.LIVE, List.of(), from, log.size(), false, 0)
                    : new Changes(ProtocolVersion.CURRENT, ChangesMode.LIVE, applied, from, log.size(), false, 0, sequences)));
        }
        else if (message instanceof Pull pull) {
            String device = devices.get(connection);
            List<Row> after = rows.values().stream().filter(r -> r.seq() > pull.cursor()).sorted((a, b) -> Long.compare(a.seq(), b.seq()))
                    .toList();
            List<Change> page = new ArrayList<>();
            List<Long> sequences = new ArrayList<>();
            long cursor = log.size();
            int taken = 0;
            for (Row row : after) {
                if (taken == pull.limit()) {
                    cursor = after.get(taken - 1).seq();
                    break;
                }
                taken++;
                if (!row.change().deviceId().equals(device)) {
                    page.add(row.change());
                    sequences.add(row.seq());
                }
            }
            boolean more = taken < after.size();
            Changes answer = new Changes(ProtocolVersion.CURRENT, ChangesMode.CATCH_UP, page, pull.cursor(), more ? cursor : log.size(),
                    more, after.size() - taken, sequences);
            if (pull.sums() != null && !more && checksumsWithFinalPage) {
                pagesWithChecksums++;
                io.pocketsync.api.protocol.Checksums fine = checksums(0);
                answer = answer.withChecksums(new io.pocketsync.api.protocol.Checksums(ProtocolVersion.CURRENT, 0, fine.sequence(),
                        new io.pocketsync.api.checksum.ScopeChecksums(fine.sequence(), fine.tables()).at(pull.sums()).tables(),
                        List.of(), List.of(), List.of(), List.of()));
            }
            connection.send(answer);
        }
        else if (message instanceof io.pocketsync.api.protocol.Verify verify && verification.apply(verify) != null) {
            verifications.add(verify);
            connection.send(verification.apply(verify));
        }
        else {
            if (message instanceof io.pocketsync.api.protocol.Verify verify) {
                verifications.add(verify);
            }
            connection.send(new io.pocketsync.api.protocol.ErrorMessage(ProtocolVersion.CURRENT, ErrorCode.UNKNOWN_MESSAGE_TYPE,
                    "not scripted: " + message.type(), null));
        }
    }

    /** The checksums of the live rows at the head, as an answer to request {@code requestId}. */
    synchronized io.pocketsync.api.protocol.Checksums checksums(long requestId) {
        Map<String, io.pocketsync.api.checksum.TableChecksum.Builder> tables = new LinkedHashMap<>();
        for (Row row : rows.values()) {
            Change change = row.change();
            if (!change.isDelete()) {
                tables.computeIfAbsent(change.table(), io.pocketsync.api.checksum.TableChecksum.Builder::new)
                        .add(change.globalId(), io.pocketsync.api.checksum.RowHash.of(change.table(), change.globalId(), change.row()));
            }
        }
        return new io.pocketsync.api.protocol.Checksums(ProtocolVersion.CURRENT, requestId, log.size(),
                tables.values().stream().map(io.pocketsync.api.checksum.TableChecksum.Builder::build).toList(), List.of(),
                List.of(), List.of(), List.of());
    }
}
