package io.pocketsync.it.proof;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Version;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Scoped;
import io.pocketsync.api.protocol.Verify;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.ChangeOutcome;
import io.pocketsync.api.store.CommittedBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What happened during one proof run, for the report of a run that fails: every message a device sent or
 * had delivered (with what the chaos did to it), every store apply with its outcomes, every change-feed
 * delivery per node and the workload's own actions. Events keep the immutable objects they saw and are only
 * rendered to text when a report is written, so a passing run pays a queue append per event.
 *
 * <p>Thread-safe.
 */
final class RunTrace {
    /** One thing that happened; {@code order} is the global order in which the trace saw it. */
    private record Event(long order, long nanos, String who, Object what, String note) {}

    /** A store apply: the changes handed in and what the store did with them (or how it failed). */
    record StoreApply(List<Change> changes, BatchOutcome outcome, String failure) {}

    /** A committed batch as one node's feed delivered it. */
    record Fed(CommittedBatch batch) {}

    /** A workload action (a local write, a reconnect, an engine stop or start). */
    record Action(String text, String globalId) {}

    private final long start = System.nanoTime();
    private final AtomicLong counter = new AtomicLong();
    private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
    private final Map<String, String> deviceNames = new ConcurrentHashMap<>();
    /** Change id to row id, learnt from pushes and applies: ACK results name only the change. */
    private final Map<String, String> changeRows = new ConcurrentHashMap<>();

    /** Names a device id in reports (d0, d1, ...). */
    void nameDevice(String deviceId, String name) {
        deviceNames.put(requireNonNull(deviceId, "deviceId is null"), requireNonNull(name, "name is null"));
    }

    Map<String, String> deviceNames() {
        return new TreeMap<>(deviceNames);
    }

    /**
     * The rows some device asked the server's state of in a checksum comparison (VERIFY {@code gids}): the rows its
     * self-heal found different, which a report on repairs looks at.
     */
    java.util.Set<String> verifiedRows() {
        java.util.Set<String> rows = new java.util.TreeSet<>();
        for (Event event : events) {
            if (event.what() instanceof Message message && event.note().startsWith("OUT")
                    && Scoped.untagged(message) instanceof Verify verify) {
                rows.addAll(verify.globalIds());
            }
        }
        return rows;
    }

    void sent(String device, Message message, boolean twice) {
        if (message instanceof Push push) {
            push.changes().forEach(change -> changeRows.put(change.changeId(), change.globalId()));
        }
        add(device, message, twice ? "OUT x2" : "OUT");
    }

    /** A message handed to the device engine; {@code how} says what the chaos did (delayed, duplicated). */
    void delivered(String device, Message message, String how) {
        add(device, message, how.isEmpty() ? "IN" : "IN " + how);
    }

    void connection(String device, String what) {
        add(device, what, "NET");
    }

    void action(String device, String text, String globalId) {
        add(device, new Action(text, globalId), "ACT");
    }

    void applied(String node, List<Change> changes, BatchOutcome outcome, String failure) {
        changes.forEach(change -> changeRows.put(change.changeId(), change.globalId()));
        add(node, new StoreApply(List.copyOf(changes), outcome, failure), "STORE");
    }

    void fed(String node, CommittedBatch batch) {
        add(node, new Fed(batch), "FEED");
    }

    private void add(String who, Object what, String note) {
        events.add(new Event(counter.incrementAndGet(), System.nanoTime(), who, what, note));
    }

    /** Every event, one line each. */
    List<String> render() {
        return render(null);
    }

    /**
     * The events that concern row {@code globalId} (or every event when null), one line each; connection
     * events, HELLO/WELCOME, PULL and catch-up pages are always kept because they say where cursors went.
     */
    List<String> render(String globalId) {
        List<String> lines = new ArrayList<>();
        for (Event event : events) {
            String text = describe(event.what(), globalId);
            if (text != null) {
                lines.add(String.format("#%-6d %9.3fs %-4s %-9s %s", event.order(), (event.nanos() - start) / 1e9, event.who(),
                        event.note(), text));
            }
        }
        return lines;
    }

    private String describe(Object what, String gid) {
        if (what instanceof String text) {
            return text;
        }
        if (what instanceof Action action) {
            return gid == null || gid.equals(action.globalId()) || action.globalId() == null ? action.text() : null;
        }
        if (what instanceof StoreApply apply) {
            return storeApply(apply, gid);
        }
        if (what instanceof Fed fed) {
            CommittedBatch batch = fed.batch();
            String changes = changes(batch.changes(), null, batch.fromSequence(), gid);
            return changes == null ? null : "batch (" + batch.fromSequence() + "," + batch.toSequence() + "] from "
                    + batch.nodeId() + changes;
        }
        if (what instanceof Message message) {
            return message(message, gid);
        }
        return String.valueOf(what);
    }

    private String storeApply(StoreApply apply, String gid) {
        StringBuilder out = new StringBuilder("apply");
        boolean touches = gid == null;
        for (int i = 0; i < apply.changes().size(); i++) {
            Change change = apply.changes().get(i);
            if (gid != null && !gid.equals(change.globalId())) {
                continue;
            }
            touches = true;
            out.append("\n        ").append(change(change));
            if (apply.outcome() != null && i < apply.outcome().outcomes().size()) {
                out.append("\n          -> ").append(outcome(apply.outcome().outcomes().get(i)));
            }
        }
        if (apply.outcome() != null) {
            out.insert(0, "(" + apply.outcome().fromSequence() + "," + apply.outcome().toSequence() + "] ");
        }
        if (apply.failure() != null) {
            out.append(" FAILED ").append(apply.failure());
        }
        return touches ? out.toString() : null;
    }

    private String message(Message message, String gid) {
        if (message instanceof Scoped scoped) {
            // a device of several scopes: its sessions' messages are tagged; the scope's suffix names which
            String inner = message(scoped.message(), gid);
            String scope = scoped.scope();
            return inner == null ? null : "[" + scope.substring(scope.lastIndexOf('-') + 1) + "] " + inner;
        }
        if (message instanceof Verify verify) {
            if (gid != null && !verify.globalIds().isEmpty() && !verify.globalIds().contains(gid)) {
                return null;
            }
            return "VERIFY #" + verify.requestId() + (verify.table() == null ? "" : " " + verify.table())
                    + (verify.level() == null ? "" : " " + verify.level()) + (verify.buckets().isEmpty() ? "" : " buckets=" + verify.buckets())
                    + (verify.globalIds().isEmpty() ? "" : " gids=" + (gid == null ? verify.globalIds() : "[" + gid + ", ...]"));
        }
        if (message instanceof Checksums sums) {
            StringBuilder out = new StringBuilder("CHECKSUMS #" + sums.requestId() + " seq=" + sums.sequence());
            sums.tables().forEach(table -> out.append(' ').append(table.table()).append(" count=").append(table.count()));
            int index = gid == null ? -1 : sums.globalIds().indexOf(gid);
            if (index >= 0) {
                out.append(" hash=").append(Long.toHexString(sums.hashes().get(index)));
            }
            String rows = changes(sums.rows(), sums.sequences(), -1, gid);
            return rows == null ? out.toString() : out.append(rows).toString();
        }
        if (message instanceof Push push) {
            String changes = changes(push.changes(), null, -1, gid);
            return changes == null ? null : "PUSH " + shortId(push.batchId()) + changes;
        }
        if (message instanceof Ack ack) {
            StringBuilder out = new StringBuilder("ACK " + shortId(ack.batchId()));
            boolean touches = gid == null;
            for (ChangeResult result : ack.results()) {
                if (gid != null && !gid.equals(changeRows.get(result.changeId()))
                        && (result.winner() == null || !gid.equals(result.winner().globalId()))) {
                    continue;
                }
                touches = true;
                out.append("\n        ").append(changeId(result.changeId())).append(' ').append(result.status())
                        .append(" seq=").append(result.sequence());
                if (result.winner() != null) {
                    out.append(" winner=").append(change(result.winner()));
                }
                if (result.errorCode() != null) {
                    out.append(' ').append(result.errorCode()).append(": ").append(result.message());
                }
            }
            return touches ? out.toString() : null;
        }
        if (message instanceof Changes changes) {
            List<Long> sequences = changes.sequences();
            String list = changes(changes.changes(), sequences.isEmpty() ? null : sequences, -1, gid);
            String head = "CHANGES " + changes.mode() + " (" + changes.fromCursor() + "," + changes.cursor() + "]"
                    + (changes.hasMore() ? " more" : "");
            if (list == null) {
                return changes.mode() == ChangesMode.LIVE ? null
                        : head + " (" + changes.changes().size() + " other rows)";
            }
            return head + list;
        }
        if (message instanceof Hello hello) {
            return "HELLO " + hello.scope().substring(hello.scope().lastIndexOf('-') + 1) + " cursor=" + hello.cursor()
                    + (hello.tables() == null ? "" : " tables=" + hello.tables());
        }
        if (message instanceof Welcome welcome) {
            return "WELCOME " + welcome.sessionId() + " head=" + welcome.headCursor() + (welcome.resyncRequired() ? " resync" : "");
        }
        if (message instanceof Pull pull) {
            return "PULL cursor=" + pull.cursor() + " own=" + pull.ownFrom() + (pull.self() ? " self" : "")
                    + (pull.sums() == null ? "" : " sums=" + pull.sums());
        }
        if (message instanceof ErrorMessage error) {
            return "ERROR " + error.code() + " " + error.message() + (error.refId() == null ? "" : " ref=" + shortId(error.refId()));
        }
        if (message instanceof Ping || message instanceof Pong) {
            return null;
        }
        return message.type().toString();
    }

    /** The changes of {@code list} that touch {@code gid} (all when null) as indented lines, or null when none do. */
    private String changes(List<Change> list, List<Long> sequences, long fromSequence, String gid) {
        StringBuilder out = new StringBuilder();
        boolean any = false;
        for (int i = 0; i < list.size(); i++) {
            Change change = list.get(i);
            if (gid != null && !gid.equals(change.globalId())) {
                continue;
            }
            any = true;
            out.append("\n        ");
            if (sequences != null) {
                out.append("seq=").append(sequences.get(i)).append(' ');
            }
            else if (fromSequence >= 0) {
                out.append("seq=").append(fromSequence + i + 1).append(' ');
            }
            out.append(change(change));
        }
        if (!any && gid == null && list.isEmpty()) {
            return " (empty)";
        }
        return any ? out.toString() : null;
    }

    String change(Change change) {
        return changeId(change.changeId()) + " " + change.op() + " " + change.globalId() + " " + version(change.version())
                + (change.isDelete() ? "" : " " + new TreeMap<>(change.row()));
    }

    String state(RowState state) {
        if (state == null) {
            return "none";
        }
        return (state.deleted() ? "TOMBSTONE" : "LIVE " + new TreeMap<>(state.row())) + " " + version(state.version())
                + " last=" + changeId(state.lastChangeId()) + " seqs first=" + state.firstSequence() + " last=" + state.lastSequence();
    }

    private String outcome(ChangeOutcome outcome) {
        String text = outcome.status() + " seq=" + outcome.sequence();
        if (outcome.state() != null) {
            text += " state=" + state(outcome.state());
        }
        if (outcome.errorCode() != null) {
            text += " " + outcome.errorCode() + ": " + outcome.reason();
        }
        return text;
    }

    String version(Version version) {
        return "v=" + version.hlc() + "/" + device(version.deviceId());
    }

    /** A change id as {@code <device name>:<hlc hex><random>} (the device id prefix replaced by its name). */
    String changeId(String changeId) {
        int dash = changeId.indexOf('-');
        if (dash <= 0) {
            return changeId;
        }
        return device(changeId.substring(0, dash)) + ":" + changeId.substring(dash + 1);
    }

    private String device(String deviceId) {
        return deviceNames.getOrDefault(deviceId, deviceId);
    }

    private static String shortId(String id) {
        return id.length() <= 8 ? id : id.substring(0, 8);
    }
}
