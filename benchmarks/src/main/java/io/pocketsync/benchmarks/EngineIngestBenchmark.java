package io.pocketsync.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Server ingest through the whole engine (HELLO, PUSH validation, resolution, SQLite store, ACK) for one
 * device pushing batches, over the in-JVM path, against bare batched SQLite inserts of the same rows
 * with the same durability in the same run.
 */
final class EngineIngestBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final int changesPerRound;
    private int counter;

    EngineIngestBenchmark(Path dir, int changesPerRound) {
        this.dir = dir;
        this.changesPerRound = changesPerRound;
    }

    List<Measurement> run(int rounds) throws Exception {
        List<Measurement> out = new ArrayList<>();
        String scope = "bench-ingest";
        try (BenchServer server = new BenchServer(dir.resolve("engine-ingest"), scope, null, null);
                Connection bare = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("engine-bare.db"))) {
            try (Statement statement = bare.createStatement()) {
                statement.execute("PRAGMA journal_mode=WAL");
                statement.execute("PRAGMA synchronous=FULL");
                statement.execute("CREATE TABLE changes (id TEXT PRIMARY KEY, tbl TEXT, gid TEXT, payload TEXT)");
            }
            bare.setAutoCommit(false);
            InJvmDevice device = new InJvmDevice(server.server(), "bench-device");
            device.hello(scope, BenchServer.TOKEN, 0);
            for (int batchSize : new int[] {100, 1000}) {
                double[] result = Timing.interleaved(rounds, () -> push(device, batchSize), () -> bareInserts(bare, batchSize));
                out.add(Measurement.of("server ingest via engine (in-JVM, sqlite store), batches of " + batchSize,
                        result[0], result[1], "changes/s", "batched SQLite inserts", true));
            }
        }
        return out;
    }

    private Timing.Sample push(InJvmDevice device, int batchSize) throws Exception {
        List<Change> changes = Workload.inserts("bench-device", "e" + (counter++), changesPerRound);
        long start = System.nanoTime();
        int batchNumber = 0;
        for (List<Change> batch : Workload.batches(changes, batchSize)) {
            String batchId = "b" + counter + "-" + (batchNumber++);
            device.send(new Push(ProtocolVersion.CURRENT, batchId, batch), null);
            Ack ack = device.await(Ack.class);
            if (!ack.batchId().equals(batchId) || ack.results().size() != batch.size()) {
                throw new IllegalStateException("unexpected ACK " + ack.batchId());
            }
            ack.results().forEach(r -> {
                if (r.errorCode() != null && r.errorCode() != ErrorCode.INTERNAL) {
                    throw new IllegalStateException("change rejected: " + r);
                }
            });
        }
        return Timing.Sample.since(start, changes.size());
    }

    private Timing.Sample bareInserts(Connection bare, int batchSize) throws Exception {
        List<Change> changes = Workload.inserts("bench-device", "x" + (counter++), changesPerRound);
        long start = System.nanoTime();
        try (PreparedStatement insert = bare.prepareStatement("INSERT INTO changes (id, tbl, gid, payload) VALUES (?, ?, ?, ?)")) {
            for (List<Change> batch : Workload.batches(changes, batchSize)) {
                for (Change change : batch) {
                    insert.setString(1, change.changeId());
                    insert.setString(2, change.table());
                    insert.setString(3, change.globalId());
                    insert.setString(4, JSON.writeValueAsString(change.row()));
                    insert.addBatch();
                }
                insert.executeBatch();
                bare.commit();
            }
        }
        return Timing.Sample.since(start, changes.size());
    }
}
