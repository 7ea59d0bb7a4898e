package io.pocketsync.it.proof;

import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.ServerStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The report of a proof run whose devices did not converge: for every row a device disagrees on (or still
 * has pending), the server's state, its audit entries and its history in the {@link RunTrace} (store applies
 * with outcomes, feed deliveries, messages of each device that name the row), and each device's file (row,
 * row sequence, deferred change, captured changes); then the whole trace. Written under
 * {@code target/convergence-failures/} and summarised on stdout. Only built when a run fails.
 */
final class DivergenceReport {
    private static final int AUDIT_LIMIT = 100_000;

    private DivergenceReport() {}

    /** Writes the report and returns where (or a note why it could not be written). */
    static String write(String title, long seed, String variant, RunTrace trace, ServerStore store, Scope scope,
            List<SimDevice> devices, Throwable failure) {
        StringBuilder out = new StringBuilder();
        StringBuilder summary = new StringBuilder();
        out.append(title).append(": seed ").append(seed).append(" variant ").append(variant).append('\n');
        out.append("failure: ").append(failure).append('\n');
        out.append("devices: ").append(trace.deviceNames()).append("\n\n");
        try {
            Map<String, Map<String, Object>> server = Canonical.serverRows(store, scope, SimDevice.TABLE);
            Set<String> rows = new TreeSet<>();
            for (SimDevice device : devices) {
                Map<String, Map<String, Object>> local = device.rows();
                for (String gid : union(server.keySet(), local.keySet())) {
                    if (!Objects.equals(server.get(gid), local.get(gid))) {
                        rows.add(gid);
                        summary.append(String.format("  %s %s: device %s, server %s%n", device.name(), gid, local.get(gid),
                                server.get(gid)));
                    }
                }
                rows.addAll(device.pendingRows());
            }
            // rows a self-heal compared row by row: a repair means a path lost or corrupted them
            rows.addAll(trace.verifiedRows());
            List<AuditEntry> audit = store.audit(scope, 0, AUDIT_LIMIT);
            out.append("head ").append(store.info(scope).head()).append("; rows to look at: ").append(rows).append('\n');
            out.append(summary).append('\n');
            for (String gid : rows) {
                out.append("==== row ").append(gid).append('\n');
                out.append("  server: ").append(trace.state(store.row(scope, SimDevice.TABLE, gid).orElse(null))).append('\n');
                for (AuditEntry entry : audit) {
                    if (entry.change().globalId().equals(gid)) {
                        out.append("  audit #").append(entry.id()).append(' ').append(entry.status()).append(' ')
                                .append(trace.change(entry.change())).append(" winner=")
                                .append(entry.winnerChangeId() == null ? "-" : trace.changeId(entry.winnerChangeId()))
                                .append(entry.errorCode() == null ? "" : " " + entry.errorCode() + ": " + entry.reason()).append('\n');
                    }
                }
                for (SimDevice device : devices) {
                    out.append("  device ").append(device.name()).append(":\n").append(device.diagnose(gid, trace));
                }
                out.append("  history:\n");
                for (String line : trace.render(gid)) {
                    out.append("    ").append(line).append('\n');
                }
                out.append('\n');
            }
        }
        catch (RuntimeException | SQLException e) {
            out.append("(reading the state failed: ").append(e).append(")\n");
        }
        out.append("==== full trace\n");
        for (String line : trace.render()) {
            out.append(line).append('\n');
        }
        String where;
        try {
            Path dir = Files.createDirectories(Path.of("target", "convergence-failures"));
            Path file = dir.resolve(variant + "-seed" + seed + "-" + System.currentTimeMillis() + ".txt");
            Files.writeString(file, out);
            where = file.toAbsolutePath().toString();
        }
        catch (IOException e) {
            where = "(report not written: " + e + ")";
        }
        System.out.println("DIVERGENCE seed " + seed + " variant " + variant + " (" + failure.getMessage() + "); report: " + where
                + "\n" + summary);
        return where;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
