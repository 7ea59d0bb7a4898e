package io.pocketsync.benchmarks;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.ChangeCaptureProvider;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.store.redis.RedisServerStore;
import io.pocketsync.store.redis.RedisStoreConfig;
import io.pocketsync.store.sqlite.SqliteServerStore;
import io.pocketsync.store.sqlite.SqliteStoreConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.sqlite.SQLiteDataSource;

/**
 * What checksums of row state cost (docs/protocol.md 4): server ingest through each store with the checksum upkeep
 * against the same store without it, in the same run (target >= 0.95x), and the device's side of a full verify: the
 * checksums of a table of a million synced rows computed from the file (the server's side of a table that matches is
 * one read of its kept sums).
 */
final class ChecksumBenchmark {
    private static final ConflictResolver LWW = (current, incoming) ->
            current == null || incoming.version().isAfter(current.version())
                    ? Resolution.applyIncoming(current, incoming) : Resolution.supersede();

    private final Path dir;
    private final String redisUri;
    private final int changesPerRound;
    private final int deviceRows;
    private int counter;

    ChecksumBenchmark(Path dir, String redisUri, int changesPerRound, int deviceRows) {
        this.dir = dir;
        this.redisUri = redisUri;
        this.changesPerRound = changesPerRound;
        this.deviceRows = deviceRows;
    }

    List<Measurement> run(int rounds) throws Exception {
        List<Measurement> out = new ArrayList<>();
        int batch = 1000;
        try (ServerStore kept = new SqliteServerStore(SqliteStoreConfig.at(dir.resolve("checksums-kept.db")), "bench",
                Clock.systemUTC(), true);
                ServerStore bare = new SqliteServerStore(SqliteStoreConfig.at(dir.resolve("checksums-not-kept.db")), "bench",
                        Clock.systemUTC(), false)) {
            double[] sqlite = batchByBatch(rounds, kept, bare, batch);
            out.add(new Measurement("server ingest with checksum upkeep, sqlite store, batches of " + batch, sqlite[0], sqlite[1],
                    "changes/s", "same store without upkeep", true, 0.95));
        }
        String prefix = "psbench-" + UUID.randomUUID();
        RedisStoreConfig config = RedisStoreConfig.of(redisUri, prefix);
        RedisClient client = RedisClient.create(redisUri);
        try (ServerStore kept = new RedisServerStore(config, "bench", Clock.systemUTC(), true);
                ServerStore bare = new RedisServerStore(config, "bench", Clock.systemUTC(), false);
                StatefulRedisConnection<String, String> connection = client.connect()) {
            try {
                double[] redis = batchByBatch(rounds, kept, bare, batch);
                out.add(new Measurement("server ingest with checksum upkeep, redis store, batches of " + batch, redis[0], redis[1],
                        "changes/s", "same store without upkeep", true, 0.95));
            }
            finally {
                StoreIngestBenchmark.deleteKeys(connection, prefix);
            }
        }
        finally {
            client.shutdown();
        }
        out.add(deviceVerify());
        return out;
    }

    /**
     * Changes/s of the store that keeps checksums and of the one that does not, as the median time of one batch:
     * the two stores take the same batches alternately, batch by batch, the first of each pair alternating too, so a
     * burst of the machine's other work (disk, CPU on a shared 2-core machine) falls on both sides alike. Rounds of
     * whole runs, 0.3-1 s each, let one burst swing a ratio by 10-20%. One round first warms up both.
     *
     * @return {kept, bare} in changes/s
     */
    private double[] batchByBatch(int rounds, ServerStore kept, ServerStore bare, int batchSize) {
        List<Long> keptNanos = new ArrayList<>();
        List<Long> bareNanos = new ArrayList<>();
        for (int round = 0; round <= rounds; round++) {
            String run = "c" + (counter++);
            Scope scope = Scope.of("bench-" + run);
            List<List<Change>> batches = Workload.batches(Workload.inserts("dev", run, changesPerRound), batchSize);
            for (int i = 0; i < batches.size(); i++) {
                boolean keptFirst = (i + round) % 2 == 0;
                long first = apply(keptFirst ? kept : bare, scope, batches.get(i));
                long second = apply(keptFirst ? bare : kept, scope, batches.get(i));
                if (round > 0) {
                    keptNanos.add(keptFirst ? first : second);
                    bareNanos.add(keptFirst ? second : first);
                }
            }
        }
        return new double[] {batchSize * 1e9 / median(keptNanos), batchSize * 1e9 / median(bareNanos)};
    }

    private static long apply(ServerStore store, Scope scope, List<Change> batch) {
        long start = System.nanoTime();
        store.apply(scope, batch, table -> LWW);
        return System.nanoTime() - start;
    }

    private static double median(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        java.util.Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    /** A device file with {@code deviceRows} synced rows (written as remote rows are: not captured); one full compute. */
    private Measurement deviceVerify() throws Exception {
        SQLiteDataSource source = new SQLiteDataSource();
        source.setUrl("jdbc:sqlite:" + dir.resolve("verify-device.db"));
        source.setJournalMode("WAL");
        try (Connection connection = source.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER, price REAL, note TEXT)");
        }
        ChangeCaptureProvider provider = BenchContext.provider(ChangeCaptureProvider.class, "sqlite-triggers", ChangeCaptureProvider::name);
        try (ChangeCapture capture = provider.create(source, PluginConfig.empty("capture.sqlite-triggers"), new BenchContext("bench"))) {
            capture.install(List.of("items"));
            try (Connection connection = source.getConnection()) {
                connection.setAutoCommit(false);
                try (Statement statement = connection.createStatement();
                        PreparedStatement insert = connection.prepareStatement(
                                "INSERT INTO items (name, qty, price, note, ps_global_id) VALUES (?, ?, ?, ?, ?)")) {
                    statement.execute("INSERT INTO __pocketsync_applying (id) VALUES (1)");
                    for (int i = 0; i < deviceRows; i++) {
                        insert.setString(1, "item " + i);
                        insert.setLong(2, i % 1000);
                        insert.setDouble(3, i / 100.0);
                        insert.setString(4, i % 3 == 0 ? null : "a note about item " + i);
                        insert.setString(5, String.format("%024x", i));
                        insert.addBatch();
                        if (i % 10_000 == 9_999) {
                            insert.executeBatch();
                        }
                    }
                    insert.executeBatch();
                    statement.execute("DELETE FROM __pocketsync_applying");
                }
                connection.commit();
            }
            capture.checksums(); // warm up: statements, JIT
            long start = System.nanoTime();
            ScopeChecksums checksums = capture.checksums();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (checksums.table("items").count() != deviceRows) {
                throw new IllegalStateException("checksummed " + checksums.table("items").count() + " of " + deviceRows + " rows");
            }
            return Measurement.of("full verify on one device: checksums of " + deviceRows + " rows", seconds, Double.NaN, "s", "-",
                    false);
        }
    }
}
