package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.auth.Grant;
import io.pocketsync.api.PocketSyncException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The sync loops of a device: one {@link SyncLoop} per scope it syncs (docs/protocol.md 3.9), all on the one engine
 * thread and the one connection. A device of one scope has one loop reporting to the device's status board directly;
 * with several, each loop has a board of its own (its scope's snapshot, {@link #status(String)}) whose events reach the
 * device's board through a {@link ScopeStatusRelay}, errors and disconnects naming the scope. Thread-safe as the
 * loops are.
 */
final class DeviceLoops {
    private final Map<String, SyncLoop> loops;
    private final Map<String, StatusBoard> boards;

    /**
     * @param loops the loop of each scope, the first scope's first
     * @param boards the status board of each scope (the device's own for a device of one scope)
     */
    DeviceLoops(Map<String, SyncLoop> loops, Map<String, StatusBoard> boards) {
        this.loops = new LinkedHashMap<>(requireNonNull(loops, "loops is null"));
        this.boards = new LinkedHashMap<>(requireNonNull(boards, "boards is null"));
        if (loops.isEmpty() || !loops.keySet().equals(boards.keySet())) {
            throw new IllegalArgumentException("one loop and one board per scope");
        }
    }

    List<String> scopes() {
        return List.copyOf(loops.keySet());
    }

    void start() {
        loops.values().forEach(SyncLoop::start);
    }

    void syncNow() {
        loops.values().forEach(SyncLoop::syncNow);
    }

    void resync() {
        loops.values().forEach(SyncLoop::resync);
    }

    void resync(String scope) {
        loop(scope).resync();
    }

    void localCommit() {
        // one commit hook wakes every scope: each looks for its own tables' changes
        loops.values().forEach(SyncLoop::localCommit);
    }

    void statusAsked() {
        loops.values().forEach(SyncLoop::statusAsked);
    }

    void stop() {
        loops.values().forEach(SyncLoop::stop);
    }

    /** The status of {@code scope}'s session. */
    SyncStatus status(String scope) {
        loop(scope).statusAsked();
        return requireNonNull(boards.get(scope)).current();
    }

    CompletableFuture<VerifyReport> verify(String scope, boolean repair) {
        return loop(scope).verify(repair);
    }

    /** Every scope verified; the report lists every scope's tables, and was compared when every scope's was. */
    CompletableFuture<VerifyReport> verify(boolean repair) {
        if (loops.size() == 1) {
            return loops.values().iterator().next().verify(repair);
        }
        List<CompletableFuture<VerifyReport>> each = new ArrayList<>();
        loops.values().forEach(loop -> each.add(loop.verify(repair)));
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<TableVerification> tables = new ArrayList<>();
            boolean compared = true;
            long sequence = 0;
            for (CompletableFuture<VerifyReport> report : each) {
                VerifyReport one = report.join();
                tables.addAll(one.tables());
                compared &= one.compared();
                sequence = Math.max(sequence, one.sequence());
            }
            return new VerifyReport(sequence, compared, tables);
        });
    }

    ChecksumStats checksumStats() {
        long checks = 0;
        long mismatches = 0;
        long repaired = 0;
        for (SyncLoop loop : loops.values()) {
            ChecksumStats stats = loop.checksumStats();
            checks += stats.checks();
            mismatches += stats.mismatches();
            repaired += stats.rowsRepaired();
        }
        return new ChecksumStats(checks, mismatches, repaired);
    }

    ChecksumStats checksumStats(String scope) {
        return loop(scope).checksumStats();
    }

    private SyncLoop loop(String scope) {
        SyncLoop loop = loops.get(requireNonNull(scope, "scope is null"));
        if (loop == null) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "this device does not sync scope " + scope + "; it syncs "
                    + loops.keySet());
        }
        return loop;
    }

    /**
     * The device's snapshot of several scopes: connected when every scope's session is, the latest sync of any, the
     * counts summed, the first catch-up in progress, the grant when every scope has the same (else null: ask each scope).
     */
    static SyncStatus combined(List<SyncStatus> scopes) {
        boolean connected = true;
        @Nullable Instant last = null;
        long pending = 0;
        long parked = 0;
        @Nullable CatchUpProgress catchUp = null;
        @Nullable Grant grant = scopes.isEmpty() ? null : scopes.get(0).grant();
        for (SyncStatus status : scopes) {
            grant = status.grant() == grant ? grant : null;
            connected &= status.connected();
            if (status.lastSyncedAt() != null && (last == null || status.lastSyncedAt().isAfter(last))) {
                last = status.lastSyncedAt();
            }
            pending += status.pendingCount();
            parked += status.parkedCount();
            catchUp = catchUp != null ? catchUp : status.catchUp();
        }
        return new SyncStatus(connected, last, pending, parked, catchUp, grant);
    }
}
