package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.TableCatchUp;
import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.RowHash;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Verify;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.device.capture.DatabaseBusyException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares the device's rows with the server's by checksum and repairs what differs (docs/protocol.md 4): asks for
 * the scope's coarse checksums; compares them with its own at the same sequence (when its cursor is not the server's
 * head it catches up and asks again); for a table whose coarse checksums differ, asks for its fine ones and keeps the
 * fine buckets that differ inside the differing coarse ones (a server before the coarse level answers fine checksums
 * at once); then asks for the row hashes of the differing buckets and compares
 * row by row, leaving out rows with unsettled changes (pending local changes, parked remote ones); then fetches the
 * server's state of just the differing rows and writes it ({@link ChangeCapture#repair}). One verification at a time
 * ({@link VerifyRun}); a table that differs is compared row by row by a {@link TableComparison}, whose questions this
 * class sends.
 *
 * <p>Runs after the first catch-up of each session, every {@link DeviceOptions#verifyInterval()} while online, and on
 * demand. Engine thread only (the counters are read from any thread).
 */
final class ChecksumVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(ChecksumVerifier.class);
    /** How often a comparison waits for the cursor to meet the server's head before it gives up for now. */
    static final int MAX_ATTEMPTS = 5;

    private final ChangeCapture capture;
    private final ClientTransport transport;
    private final DeviceOptions options;
    private final StatusBoard status;
    private final Runnable catchUp;
    private final Consumer<String> tableRepaired;
    private final AtomicLong checks = new AtomicLong();
    private final AtomicLong mismatches = new AtomicLong();
    private final AtomicLong repaired = new AtomicLong();
    private @Nullable VerifyRun run;
    private long lastRequestId;
    private boolean online;
    private boolean verifiedThisSession;
    /** The server answered VERIFY with UNKNOWN_MESSAGE_TYPE (an older server): no more questions this session. */
    private boolean serverLacksChecksums;

    /**
     * @param catchUp asks the receiver to pull from the cursor
     * @param tableRepaired told the table whose rows a repair wrote (watchers fire)
     */
    ChecksumVerifier(ChangeCapture capture, ClientTransport transport, DeviceOptions options, StatusBoard status,
            Runnable catchUp, Consumer<String> tableRepaired) {
        this.capture = requireNonNull(capture, "capture is null");
        this.transport = requireNonNull(transport, "transport is null");
        this.options = requireNonNull(options, "options is null");
        this.status = requireNonNull(status, "status is null");
        this.catchUp = requireNonNull(catchUp, "catchUp is null");
        this.tableRepaired = requireNonNull(tableRepaired, "tableRepaired is null");
    }

    ChecksumStats stats() {
        return new ChecksumStats(checks.get(), mismatches.get(), repaired.get());
    }

    void welcomed() {
        online = true;
        verifiedThisSession = false;
        serverLacksChecksums = false;
    }

    /**
     * The server refused a message as of an unknown type. When a VERIFY is waiting, that was it: the server predates
     * checksums, so this session verifies nothing more.
     *
     * @return true when the refusal was of the VERIFY (the caller need not report it)
     */
    boolean refusedAsUnknown() {
        if (run == null || run.waitingForCatchUp) {
            return false;
        }
        LOG.info("the server does not answer VERIFY (an older version): no checksum comparison in this session");
        serverLacksChecksums = true;
        finish(false);
        return true;
    }

    void disconnected() {
        online = false;
        if (run != null) {
            finish(false);
        }
    }

    /**
     * Whether the next final catch-up page should carry the server's checksums (PULL {@code sums}): a comparison is
     * due when the catch-up ends, so the device compares at once instead of asking with VERIFY.
     */
    boolean wantsChecksums() {
        VerifyRun current = run;
        if (current != null) {
            return current.waitingForCatchUp;
        }
        return online && !verifiedThisSession && enabled() && !serverLacksChecksums;
    }

    /**
     * A catch-up ended (a page with {@code more=false}).
     *
     * @param sums the server's checksums the page carried, at its cursor; null when it carried none (the server did
     *        not know them at that sequence, or is older), and the device asks with VERIFY
     */
    void caughtUp(@Nullable Checksums sums) {
        VerifyRun current = run;
        if (current != null && current.waitingForCatchUp) {
            current.waitingForCatchUp = false;
            answerOrAsk(current, sums);
        }
        else if (current == null && online && !verifiedThisSession && enabled() && !serverLacksChecksums) {
            verifiedThisSession = true;
            VerifyRun started = new VerifyRun(true);
            run = started;
            answerOrAsk(started, sums);
        }
    }

    private void answerOrAsk(VerifyRun current, @Nullable Checksums sums) {
        if (sums == null) {
            askTables(current);
            return;
        }
        // as if the page's checksums answered a VERIFY: request id 0 is never one of this device's questions
        current.stage = VerifyRun.Stage.TABLES;
        current.requestId = 0;
        current.deadlineNanos = SyncLoop.deadline(options);
        received(sums);
    }

    /** The periodic check. */
    void periodic() {
        if (online && run == null && enabled() && !serverLacksChecksums) {
            start(true);
        }
    }

    private boolean enabled() {
        return !options.verifyInterval().isZero();
    }

    /** Starts a verification, or joins the one running. */
    CompletableFuture<VerifyReport> start(boolean repair) {
        if (run != null) {
            return run.future;
        }
        VerifyRun started = new VerifyRun(repair);
        if (!online || serverLacksChecksums) {
            started.future.complete(new VerifyReport(0, false, List.of()));
            return started.future;
        }
        run = started;
        askTables(started);
        return started.future;
    }

    /** Gives up a question unanswered for the push timeout. */
    void tick(long nowNanos) {
        VerifyRun current = run;
        if (current != null && nowNanos - current.deadlineNanos > 0) {
            if (current.waitingForCatchUp) {
                current.waitingForCatchUp = false;
                askTables(current);
            }
            else {
                LOG.info("no answer to VERIFY within {}; verification given up for now", options.pushTimeout());
                finish(false);
            }
        }
    }

    void received(Checksums answer) {
        VerifyRun current = run;
        if (current == null || !current.answeredBy(answer)) {
            return; // late or foreign
        }
        if (!RowHash.ALGORITHM.equals(answer.algorithm())) {
            // an older server sums another row hash: every row would seem to differ
            LOG.info("the server sums '{}' row hashes, this device '{}': no checksum comparison in this session",
                    answer.algorithm(), RowHash.ALGORITHM);
            serverLacksChecksums = true;
            finish(false);
            return;
        }
        try {
            if (current.stage != VerifyRun.Stage.TABLES && moved(current, answer)) {
                // Only a comparison during which neither side moved tells drift from a scope moving on: start again.
                restart(current);
                return;
            }
            switch (current.stage) {
                case TABLES -> onTables(current, answer);
                case FINE -> onFine(current, answer);
                case HASHES -> onHashes(current, answer);
                case ROWS -> onRows(current, answer);
            }
        }
        catch (DatabaseBusyException e) {
            // the app holds the write lock: not a failure; the next periodic check compares again
            LOG.debug("verification stopped by a busy database: {}", e.getMessage());
            finish(false);
        }
        catch (RuntimeException e) {
            LOG.warn("verification failed: {}", e.toString());
            status.engineFailed(e);
            finish(false);
        }
    }

    private boolean moved(VerifyRun current, Checksums answer) {
        return answer.sequence() != current.sequence || capture.state().cursor() != current.sequence;
    }

    private void restart(VerifyRun current) {
        if (++current.attempts >= MAX_ATTEMPTS) {
            LOG.info("checksums not compared: the scope kept moving during {} comparisons", MAX_ATTEMPTS);
            finish(false);
            return;
        }
        current.tables.clear();
        current.results.clear();
        current.waitingForCatchUp = true;
        current.deadlineNanos = SyncLoop.deadline(options);
        catchUp.run();
    }

    private void ask(VerifyRun current, VerifyRun.Stage stage, @Nullable String table, List<Integer> buckets, List<String> gids) {
        send(current, stage, new Verify(ProtocolVersion.CURRENT, ++lastRequestId, table, buckets, gids));
    }

    private void send(VerifyRun current, VerifyRun.Stage stage, Verify question) {
        current.stage = stage;
        current.requestId = question.requestId();
        current.deadlineNanos = SyncLoop.deadline(options);
        transport.send(question);
    }

    private void askTables(VerifyRun current) {
        send(current, VerifyRun.Stage.TABLES, Verify.checksums(ProtocolVersion.CURRENT, ++lastRequestId, null, ChecksumLevel.COARSE));
    }

    private void onTables(VerifyRun current, Checksums answer) {
        ScopeChecksums local = capture.checksums();
        if (local == null) {
            finish(false);
            return;
        }
        if (local.sequence() != answer.sequence()) {
            // Only states at one sequence compare: catch up to the server's head and ask again.
            if (++current.attempts >= MAX_ATTEMPTS) {
                LOG.info("checksums not compared: the cursor ({}) did not meet the server's head ({}) in {} tries",
                        local.sequence(), answer.sequence(), MAX_ATTEMPTS);
                finish(false);
                return;
            }
            current.waitingForCatchUp = true;
            current.deadlineNanos = SyncLoop.deadline(options);
            catchUp.run();
            return;
        }
        checks.incrementAndGet();
        current.sequence = answer.sequence();
        current.local = local;
        current.server = new ScopeChecksums(answer.sequence(), answer.tables());
        // a server before the coarse level answers fine checksums: a table it leaves out is then fine and empty
        current.serverLevel = answer.tables().isEmpty() ? ChecksumLevel.COARSE : answer.tables().get(0).level();
        // every tracked table, also one without rows on either side, so that a report names them all
        current.tables.addAll(new TreeSet<>(capture.tableVersions().keySet()));
        // a table still catching up holds part of its rows by design: it is compared once it is subscribed
        TableCatchUp catchingUp = capture.tableCatchUp();
        if (catchingUp != null) {
            current.tables.removeAll(catchingUp.tables());
        }
        // so does a table whose bulk push is not acknowledged yet (the server lacks those rows until it is)
        current.tables.removeAll(capture.bulkTables());
        nextTable(current);
    }

    private void nextTable(VerifyRun current) {
        while (!current.tables.isEmpty()) {
            String table = current.tables.poll();
            TableChecksum mine = current.local.table(table);
            // a table the answer leaves out has no live rows: empty at the answer's level
            TableChecksum theirs = current.server.table(table, current.serverLevel);
            if (theirs.level() == ChecksumLevel.FINE) { // a server before the coarse level
                if (compareFine(current, mine, theirs, null)) {
                    return;
                }
                continue;
            }
            List<Integer> coarse = mine.coarse().differingBuckets(theirs);
            if (coarse.isEmpty()) {
                current.results.add(TableVerification.matched(mine));
                continue;
            }
            current.fineTable = table;
            current.differingCoarse = coarse;
            send(current, VerifyRun.Stage.FINE, Verify.checksums(ProtocolVersion.CURRENT, ++lastRequestId, table, ChecksumLevel.FINE));
            return;
        }
        finish(true);
    }

    private void onFine(VerifyRun current, Checksums answer) {
        String table = current.fineTable;
        TableChecksum theirs = new ScopeChecksums(answer.sequence(), answer.tables()).table(table, ChecksumLevel.FINE);
        if (theirs.level() != ChecksumLevel.FINE) {
            throw new IllegalStateException("the server answered the fine checksums of " + table + " at the coarse level");
        }
        if (!compareFine(current, current.local.table(table), theirs, current.differingCoarse)) {
            nextTable(current);
        }
    }

    /**
     * Compares a table's fine checksums and starts its row-by-row comparison when buckets differ.
     *
     * @param withinCoarse the coarse buckets whose fine ones are compared; null for all
     * @return true when a comparison started (a question is in flight), false when the table matched
     */
    private boolean compareFine(VerifyRun current, TableChecksum mine, TableChecksum theirs, @Nullable List<Integer> withinCoarse) {
        List<Integer> buckets = TableComparison.differingBuckets(mine, theirs, withinCoarse);
        if (buckets.isEmpty()) {
            current.results.add(TableVerification.matched(mine));
            return false;
        }
        current.comparison = new TableComparison(mine.table(), mine, theirs, buckets, capture.unsettledRows(mine.table()));
        nextBuckets(current);
        return true;
    }

    private void nextBuckets(VerifyRun current) {
        TableComparison comparison = current.comparison;
        List<Integer> buckets = comparison.nextBuckets();
        if (buckets == null) {
            nextFetch(current); // the table's rows that may differ are known: fetch the server's state to confirm
            return;
        }
        ask(current, VerifyRun.Stage.HASHES, comparison.table(), buckets, List.of());
    }

    private void onHashes(VerifyRun current, Checksums answer) {
        TableComparison comparison = current.comparison;
        comparison.hashesAnswered(capture.rowHashes(comparison.table(), new HashSet<>(comparison.buckets())), answer);
        nextBuckets(current);
    }

    private void nextFetch(VerifyRun current) {
        TableComparison comparison = current.comparison;
        List<String> gids = comparison.nextFetch();
        if (gids != null) {
            ask(current, VerifyRun.Stage.ROWS, comparison.table(), List.of(), gids);
            return;
        }
        String table = comparison.table();
        int confirmed = comparison.confirmed();
        if (confirmed > 0) {
            mismatches.incrementAndGet();
            LOG.warn("checksum mismatch in table {}: {} rows differed from the server at sequence {}; {}", table, confirmed,
                    current.sequence, current.repair ? confirmed + " repaired" : "not repaired");
        }
        current.results.add(comparison.result(current.repair));
        if (confirmed > 0 && current.repair) {
            status.rowsRepaired(table, confirmed);
        }
        nextTable(current);
    }

    private void onRows(VerifyRun current, Checksums answer) {
        TableComparison comparison = current.comparison;
        Set<String> unknown = comparison.notReturned(answer.rows());
        // rows either side moved after the compared sequence differ because the scope moved on, not by drift
        int confirmed = capture.repair(comparison.table(), answer.rows(), answer.sequences(), unknown, current.sequence,
                current.repair);
        comparison.confirmed(confirmed);
        if (current.repair && confirmed > 0) {
            repaired.addAndGet(confirmed);
            tableRepaired.accept(comparison.table());
        }
        nextFetch(current);
    }

    private void finish(boolean compared) {
        VerifyRun current = run;
        run = null;
        if (current != null) {
            current.complete(compared);
        }
    }
}
