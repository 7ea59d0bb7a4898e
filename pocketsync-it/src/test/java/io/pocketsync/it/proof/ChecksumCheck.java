package io.pocketsync.it.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.ChecksumScan;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.SyncStatusListener;
import io.pocketsync.device.TableVerification;
import io.pocketsync.device.VerifyReport;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The convergence suites' checksum checks (docs/protocol.md 4): once the fleet is quiet, the checksums the server kept
 * batch by batch equal those of its rows, and every device compares equal with it table by table. A row the self-heal
 * had to repair during the run fails the run as much as a mismatch: it means some path lost or corrupted a row (the
 * failure's report names the rows the self-heal asked about, with their histories).
 */
final class ChecksumCheck {
    /**
     * Whether a row the self-heal repaired during the run fails it: always, CI seeds included, unless
     * {@code -Dpocketsync.checksums.strict=false} asks only to report repairs (to see every repair of a long soak in
     * one run while tracing one down). The repairs the CI seeds used to show (ConvergenceIT, 1-4 rows of one device)
     * came from three device paths, all fixed (#17): an app upgrade dropped a kept column value from a pending image
     * (TableInstaller); a pending change restamped after the remote state written over it was stored by the server
     * but not written back here (OverwrittenChanges); and a full resync read before an own change was stored wrote
     * the row's older state over it, with the own rows left out of the catch-up after it (OwnRowsRepair). The final
     * comparison is strict everywhere.
     */
    static final boolean STRICT = !"false".equals(System.getProperty("pocketsync.checksums.strict"));

    private ChecksumCheck() {}

    /** Counts the rows the device's self-heal repaired, across the engines of one device (a status listener). */
    static final class Repairs extends SyncStatusListener {
        private final AtomicLong rows = new AtomicLong();

        @Override
        public void rowsRepaired(String table, int repaired) {
            rows.addAndGet(repaired);
        }

        long rows() {
            return rows.get();
        }
    }

    /** The server's kept checksums are those of its rows. */
    static void assertServerConsistent(ServerStore store, Scope scope) {
        ScopeChecksums scanned = ChecksumScan.checksums(store, scope);
        assertThat(store.checksums(scope, ChecksumLevel.COARSE)).as("checksums kept by the store").isEqualTo(scanned.coarse());
        assertThat(store.checksums(scope, ChecksumLevel.FINE)).as("fine checksums").isEqualTo(scanned);
    }

    /** The device compares equal with the server, and its self-heal repaired nothing during the run. */
    static void assertDeviceMatches(String name, PocketSyncDevice device, Repairs repairs) {
        VerifyReport report = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> device.verify(false).get(30, TimeUnit.SECONDS), VerifyReport::compared);
        assertThat(report.tables()).as("%s compared by checksum: %s", name, report.tables())
                .allSatisfy(table -> assertThat(table.outcome()).isEqualTo(TableVerification.Outcome.MATCH));
        if (STRICT) {
            assertThat(repairs.rows()).as("%s: rows the self-heal repaired during the run", name).isZero();
        }
        else if (repairs.rows() > 0) {
            System.err.println("ChecksumCheck: " + name + ": the self-heal repaired " + repairs.rows()
                    + " row(s) during the run (reported only: -Dpocketsync.checksums.strict=false)");
        }
    }
}
