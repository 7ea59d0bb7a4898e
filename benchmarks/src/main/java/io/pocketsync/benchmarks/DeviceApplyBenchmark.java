package io.pocketsync.benchmarks;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.ChangeCaptureProvider;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.ChangesMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.sqlite.SQLiteDataSource;

/**
 * Remote apply on a device: rows/s through {@link ChangeCapture#apply} (pages of catch-up, capture
 * suppressed, cursor and processed ids recorded) against a bare batched upsert of the same rows in the
 * same page transactions. Target >= 0.80x.
 */
final class DeviceApplyBenchmark {
    private static final String SCHEMA =
            "CREATE TABLE items (id TEXT PRIMARY KEY, name TEXT NOT NULL, qty INTEGER, price REAL, note TEXT)";
    private static final int PAGE = 500;

    private final Path dir;
    private final int rows;
    private int counter;

    DeviceApplyBenchmark(Path dir, int rows) {
        this.dir = dir;
        this.rows = rows;
    }

    Measurement run(int rounds) throws Exception {
        double[] result = Timing.interleaved(rounds, this::applyThroughCapture, this::bareUpsert);
        return new Measurement("device apply of remote changes (pages of " + PAGE + ")", result[0], result[1], "rows/s",
                "bare batched upsert", true, 0.80);
    }

    private Timing.Sample applyThroughCapture() throws Exception {
        SQLiteDataSource source = open("apply-tracked");
        ChangeCaptureProvider provider = BenchContext.provider(ChangeCaptureProvider.class, "sqlite-triggers",
                ChangeCaptureProvider::name);
        try (ChangeCapture capture = provider.create(source, PluginConfig.empty("capture.sqlite-triggers"),
                new BenchContext("bench-device"))) {
            capture.install(List.of("items"));
            List<Change> changes = Workload.inserts("remote", "a" + counter, rows);
            List<List<Change>> pages = Workload.batches(changes, PAGE);
            long start = System.nanoTime();
            long cursor = 0;
            for (int i = 0; i < pages.size(); i++) {
                long next = cursor + pages.get(i).size();
                // Each change's server sequence, as a server sends them: the engine's real apply path.
                List<Long> sequences = java.util.stream.LongStream.rangeClosed(cursor + 1, next).boxed().toList();
                capture.apply(pages.get(i), sequences, cursor, next, ChangesMode.CATCH_UP, i == pages.size() - 1);
                cursor = next;
            }
            return Timing.Sample.since(start, changes.size());
        }
        finally {
            delete(source);
        }
    }

    private Timing.Sample bareUpsert() throws Exception {
        SQLiteDataSource source = open("apply-bare");
        try (Connection connection = source.getConnection(); PreparedStatement upsert = connection.prepareStatement(
                "INSERT INTO items (id, name, qty, price, note) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                        + "name = excluded.name, qty = excluded.qty, price = excluded.price, note = excluded.note")) {
            connection.setAutoCommit(false);
            List<Change> changes = Workload.inserts("remote", "b" + counter, rows);
            long start = System.nanoTime();
            for (List<Change> page : Workload.batches(changes, PAGE)) {
                for (Change change : page) {
                    Map<String, Object> row = change.row();
                    upsert.setObject(1, row.get("id"));
                    upsert.setObject(2, row.get("name"));
                    upsert.setObject(3, row.get("qty"));
                    upsert.setObject(4, row.get("price"));
                    upsert.setObject(5, row.get("note"));
                    upsert.addBatch();
                }
                upsert.executeBatch();
                connection.commit();
            }
            return Timing.Sample.since(start, changes.size());
        }
        finally {
            delete(source);
        }
    }

    private SQLiteDataSource open(String name) throws Exception {
        Path file = dir.resolve(name + "-" + (counter++) + ".db");
        SQLiteDataSource source = new SQLiteDataSource();
        source.setUrl("jdbc:sqlite:" + file);
        source.setJournalMode("WAL");
        source.setSynchronous("NORMAL");
        try (Connection connection = source.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(SCHEMA);
        }
        return source;
    }

    private static void delete(SQLiteDataSource source) throws Exception {
        String file = source.getUrl().substring("jdbc:sqlite:".length());
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(Path.of(file + suffix));
        }
    }
}
