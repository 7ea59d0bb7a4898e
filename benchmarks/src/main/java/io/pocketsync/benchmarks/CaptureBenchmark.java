package io.pocketsync.benchmarks;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.ChangeCaptureProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.SQLiteDataSource;

/**
 * Capture overhead: the same writes on a table with PocketSync's triggers and on the bare table
 * (the capture rows of docs/benchmarks.md). Targets: batched inserts >= 0.70x, batched updates >= 0.50x.
 */
final class CaptureBenchmark {
    private static final String SCHEMA =
            "CREATE TABLE items (id TEXT PRIMARY KEY, name TEXT NOT NULL, qty INTEGER, price REAL, note TEXT)";

    private final Path dir;
    private final int rows;
    private final int singleRowTransactions;
    private int counter;

    CaptureBenchmark(Path dir, int rows, int singleRowTransactions) {
        this.dir = dir;
        this.rows = rows;
        this.singleRowTransactions = singleRowTransactions;
    }

    List<Measurement> run(int rounds) throws Exception {
        List<Measurement> out = new ArrayList<>();
        double[] insert = Timing.interleaved(rounds, () -> batchedInserts(true), () -> batchedInserts(false));
        out.add(new Measurement("capture: batched inserts (" + rows + " rows/tx)", insert[0], insert[1], "rows/s",
                "bare table", true, 0.70));
        double[] update = Timing.interleaved(rounds, () -> batchedUpdates(true), () -> batchedUpdates(false));
        out.add(new Measurement("capture: batched updates (" + rows + " rows/tx)", update[0], update[1], "rows/s",
                "bare table", true, 0.50));
        // The sealer's share (ids, images, change-log rows) runs after the app's commit, in its own transaction;
        // this row charges it to the writes, for the device's whole cost of a captured write.
        double[] sealed = Timing.interleaved(rounds, () -> batchedInsertsThenSeal(true), () -> batchedInsertsThenSeal(false));
        // target from issue #22: at least cr-sqlite's whole capture (0.40x on this kind of machine)
        out.add(new Measurement("capture + seal: batched inserts, then sealed", sealed[0], sealed[1], "rows/s", "bare table",
                true, 0.40));
        double[] single = Timing.interleaved(rounds, () -> singleRowTransactions(true), () -> singleRowTransactions(false));
        out.add(new Measurement("capture: single-row transactions", single[0], single[1], "tx/s", "bare table", true,
                Double.NaN));
        return out;
    }

    private Timing.Sample batchedInserts(boolean tracked) throws Exception {
        try (Database db = open(tracked); Connection connection = db.source.getConnection()) {
            connection.setAutoCommit(false);
            long start = System.nanoTime();
            insertRows(connection);
            connection.commit();
            return Timing.Sample.since(start, rows);
        }
    }

    private Timing.Sample batchedInsertsThenSeal(boolean tracked) throws Exception {
        try (Database db = open(tracked); Connection connection = db.source.getConnection()) {
            connection.setAutoCommit(false);
            long start = System.nanoTime();
            insertRows(connection);
            connection.commit();
            if (tracked && db.capture.pendingCount() != rows) {
                throw new IllegalStateException("sealed " + db.capture.pendingCount() + " changes, expected " + rows);
            }
            return Timing.Sample.since(start, rows);
        }
    }

    private Timing.Sample batchedUpdates(boolean tracked) throws Exception {
        try (Database db = open(tracked); Connection connection = db.source.getConnection()) {
            connection.setAutoCommit(false);
            insertRows(connection);
            connection.commit();
            try (PreparedStatement update = connection.prepareStatement("UPDATE items SET qty = qty + 1, note = ? WHERE id = ?")) {
                long start = System.nanoTime();
                for (int i = 0; i < rows; i++) {
                    update.setString(1, "updated " + i);
                    update.setString(2, "item-" + i);
                    update.addBatch();
                }
                update.executeBatch();
                connection.commit();
                return Timing.Sample.since(start, rows);
            }
        }
    }

    private Timing.Sample singleRowTransactions(boolean tracked) throws Exception {
        try (Database db = open(tracked); Connection connection = db.source.getConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO items (id, name, qty, price, note) VALUES (?, ?, ?, ?, ?)")) {
            long start = System.nanoTime();
            for (int i = 0; i < singleRowTransactions; i++) {
                bind(insert, i);
                insert.executeUpdate();
            }
            return Timing.Sample.since(start, singleRowTransactions);
        }
    }

    private void insertRows(Connection connection) throws Exception {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO items (id, name, qty, price, note) VALUES (?, ?, ?, ?, ?)")) {
            for (int i = 0; i < rows; i++) {
                bind(insert, i);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void bind(PreparedStatement insert, int i) throws Exception {
        insert.setString(1, "item-" + i);
        insert.setString(2, "name " + i);
        insert.setInt(3, i);
        insert.setDouble(4, i * 1.5);
        insert.setString(5, "note for row " + i);
    }

    private Database open(boolean tracked) throws Exception {
        Path file = dir.resolve("capture-" + (tracked ? "tracked" : "bare") + "-" + (counter++) + ".db");
        Files.deleteIfExists(file);
        SQLiteDataSource source = new SQLiteDataSource();
        source.setUrl("jdbc:sqlite:" + file);
        source.setJournalMode("WAL");
        source.setSynchronous("NORMAL");
        // Both sides alike. A statement that fires triggers keeps a statement journal, which SQLite's
        // default temp_store spills to a temp file; in memory it costs a copy (see README, "Tuning").
        source.setTempStore("MEMORY");
        try (Connection connection = source.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(SCHEMA);
        }
        ChangeCapture capture = null;
        if (tracked) {
            ChangeCaptureProvider provider = BenchContext.provider(ChangeCaptureProvider.class, "sqlite-triggers",
                    ChangeCaptureProvider::name);
            capture = provider.create(source, PluginConfig.empty("capture.sqlite-triggers"), new BenchContext("bench"));
            capture.install(List.of("items"));
        }
        return new Database(source, capture, file);
    }

    private static final class Database implements AutoCloseable {
        final SQLiteDataSource source;
        final ChangeCapture capture;
        final Path file;

        Database(SQLiteDataSource source, ChangeCapture capture, Path file) {
            this.source = source;
            this.capture = capture;
            this.file = file;
        }

        @Override
        public void close() throws Exception {
            if (capture != null) {
                capture.close();
            }
            Files.deleteIfExists(file);
            Files.deleteIfExists(Path.of(file + "-wal"));
            Files.deleteIfExists(Path.of(file + "-shm"));
        }
    }
}
