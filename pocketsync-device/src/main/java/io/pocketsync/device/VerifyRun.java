package io.pocketsync.device;

import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.protocol.Checksums;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One verification of the {@link ChecksumVerifier}: its question in flight, the sequence both sides are compared at,
 * the tables still to compare and what the others showed, and the future its callers wait on. The verifier moves it
 * from stage to stage; this class only holds it.
 *
 * <p>Engine thread only (the future may be waited on from any thread).
 */
final class VerifyRun {
    /** What the question in flight asks for (docs/protocol.md 4.2). */
    enum Stage {
        /** The scope's table checksums (coarse; an older server answers fine ones). */
        TABLES,
        /** One table's fine checksums, when its coarse ones differ. */
        FINE,
        /** The row hashes of some of a table's buckets. */
        HASHES,
        /** The server's state of some rows. */
        ROWS
    }

    final boolean repair;
    final CompletableFuture<VerifyReport> future = new CompletableFuture<>();
    /** Comparisons started over because the cursor did not meet the server's head, or a side moved. */
    int attempts;
    Stage stage = Stage.TABLES;
    long requestId;
    long deadlineNanos;
    /** The run waits for a catch-up to end before it asks (again) for the table checksums. */
    boolean waitingForCatchUp;
    long sequence;
    /** Both sides' checksums at {@link #sequence}, set by the answer to the TABLES question. */
    ScopeChecksums local;
    ScopeChecksums server;
    /** The level of {@link #server}'s tables: coarse, or fine from a server before the coarse level. */
    ChecksumLevel serverLevel = ChecksumLevel.COARSE;
    final Deque<String> tables = new ArrayDeque<>();
    final List<TableVerification> results = new ArrayList<>();
    /** The table whose fine checksums are asked, and its coarse buckets that differ (stage {@link Stage#FINE}). */
    String fineTable;
    List<Integer> differingCoarse = List.of();
    /** The table being compared row by row, set when a table's checksums differ. */
    TableComparison comparison;

    /**
     * @param repair whether rows found different are written to match the server
     */
    VerifyRun(boolean repair) {
        this.repair = repair;
    }

    /** Whether {@code answer} answers the question in flight (not a late or foreign one). */
    boolean answeredBy(Checksums answer) {
        return !waitingForCatchUp && answer.requestId() == requestId;
    }

    /** Ends the run with its report; the tables' results only when both sides were compared. */
    void complete(boolean compared) {
        future.complete(new VerifyReport(sequence, compared, compared ? results : List.of()));
    }
}
