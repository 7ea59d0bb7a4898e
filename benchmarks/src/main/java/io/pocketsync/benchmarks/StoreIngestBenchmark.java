package io.pocketsync.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.api.store.ServerStoreProvider;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Server ingest through each store against the bare baseline of the same run: batched SQLite inserts
 * of the same payloads for {@code sqlite}, pipelined Redis writes of the same payloads for {@code redis}.
 * Both sides write the same scope names, change ids, global ids and row images. The workload is INSERTs of
 * new rows (what devices mostly push), which both stores write without reading the rows first.
 * Target: each store >= 0.50x its baseline.
 */
final class StoreIngestBenchmark {
    /** Whole-row last-write-wins, inlined so the figure is the store's cost, not the resolver's. */
    private static final ConflictResolver LWW = (current, incoming) ->
            current == null || incoming.version().isAfter(current.version())
                    ? Resolution.applyIncoming(current, incoming) : Resolution.supersede();

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final String redisUri;
    private final int changesPerRound;
    private int counter;

    StoreIngestBenchmark(Path dir, String redisUri, int changesPerRound) {
        this.dir = dir;
        this.redisUri = redisUri;
        this.changesPerRound = changesPerRound;
    }

    List<Measurement> run(int rounds) throws Exception {
        List<Measurement> out = new ArrayList<>();
        for (int batch : new int[] {100, 1000}) {
            double[] sqlite = sqlite(rounds, batch);
            out.add(new Measurement("server ingest, sqlite store, batches of " + batch, sqlite[0], sqlite[1], "changes/s",
                    "batched SQLite inserts", true, 0.50));
        }
        for (int batch : new int[] {100, 1000}) {
            double[] redis = redis(rounds, batch);
            out.add(new Measurement("server ingest, redis store, batches of " + batch, redis[0], redis[1], "changes/s",
                    "pipelined Redis writes", true, 0.50));
        }
        return out;
    }

    private double[] sqlite(int rounds, int batchSize) throws Exception {
        Path storeFile = dir.resolve("store-" + batchSize + ".db");
        Path bareFile = dir.resolve("bare-" + batchSize + ".db");
        ServerStoreProvider provider = BenchContext.provider(ServerStoreProvider.class, "sqlite", ServerStoreProvider::name);
        try (ServerStore store = provider.create(PluginConfig.of("store.sqlite", Map.of("path", storeFile.toString())),
                new BenchContext("bench-node"));
                Connection bare = DriverManager.getConnection("jdbc:sqlite:" + bareFile)) {
            try (Statement statement = bare.createStatement()) {
                // The same durability the store promises: WAL + synchronous=FULL, one transaction per batch.
                statement.execute("PRAGMA journal_mode=WAL");
                statement.execute("PRAGMA synchronous=FULL");
                statement.execute("CREATE TABLE IF NOT EXISTS changes (scope TEXT, id TEXT, tbl TEXT, gid TEXT, payload TEXT,"
                        + " PRIMARY KEY (scope, id))");
            }
            bare.setAutoCommit(false);
            return Timing.interleaved(rounds, () -> ingest(store, batchSize), () -> {
                String run = "r" + (counter++);
                String scope = scopeName(run); // the store's scope column holds the same text
                List<Change> changes = Workload.inserts("dev", run, changesPerRound);
                long start = System.nanoTime();
                try (PreparedStatement insert = bare.prepareStatement(
                        "INSERT INTO changes (scope, id, tbl, gid, payload) VALUES (?, ?, ?, ?, ?)")) {
                    for (List<Change> batch : Workload.batches(changes, batchSize)) {
                        for (Change change : batch) {
                            insert.setString(1, scope);
                            insert.setString(2, change.changeId());
                            insert.setString(3, change.table());
                            insert.setString(4, change.globalId());
                            insert.setString(5, JSON.writeValueAsString(change.row()));
                            insert.addBatch();
                        }
                        insert.executeBatch();
                        bare.commit();
                    }
                }
                return Timing.Sample.since(start, changes.size());
            });
        }
    }

    private double[] redis(int rounds, int batchSize) throws Exception {
        String prefix = "psbench-" + UUID.randomUUID();
        ServerStoreProvider provider = BenchContext.provider(ServerStoreProvider.class, "redis", ServerStoreProvider::name);
        RedisClient client = RedisClient.create(redisUri);
        try (ServerStore store = provider.create(
                PluginConfig.of("store.redis", Map.of("uri", redisUri, "prefix", prefix)), new BenchContext("bench-node"));
                StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisAsyncCommands<String, String> async = connection.async();
            try {
                return Timing.interleaved(rounds, () -> ingest(store, batchSize), () -> {
                    String run = "r" + (counter++);
                    List<Change> changes = Workload.inserts("dev", run, changesPerRound);
                    long start = System.nanoTime();
                    connection.setAutoFlushCommands(false);
                    try {
                        for (List<Change> batch : Workload.batches(changes, batchSize)) {
                            List<RedisFuture<?>> futures = new ArrayList<>(batch.size());
                            for (Change change : batch) {
                                futures.add(async.hset(prefix + ":bare:{" + scopeName(run) + "}:" + change.table(), change.globalId(),
                                        JSON.writeValueAsString(change.row())));
                            }
                            connection.flushCommands();
                            for (RedisFuture<?> future : futures) {
                                future.get(30, TimeUnit.SECONDS);
                            }
                        }
                    }
                    finally {
                        connection.setAutoFlushCommands(true);
                    }
                    return Timing.Sample.since(start, changes.size());
                });
            }
            finally {
                deleteKeys(connection, prefix);
            }
        }
        finally {
            client.shutdown();
        }
    }

    private Timing.Sample ingest(ServerStore store, int batchSize) {
        String run = "r" + (counter++);
        Scope scope = Scope.of(scopeName(run));
        List<Change> changes = Workload.inserts("dev", run, changesPerRound);
        long start = System.nanoTime();
        for (List<Change> batch : Workload.batches(changes, batchSize)) {
            store.apply(scope, batch, table -> LWW);
        }
        return Timing.Sample.since(start, changes.size());
    }

    private static String scopeName(String run) {
        return "bench-" + run;
    }

    /** Deletes only the keys this benchmark created. */
    static void deleteKeys(StatefulRedisConnection<String, String> connection, String prefix) {
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = connection.sync().scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
            if (!page.getKeys().isEmpty()) {
                connection.sync().del(page.getKeys().toArray(new String[0]));
            }
            cursor = page;
        }
        while (!cursor.isFinished());
    }
}
