package io.pocketsync.benchmarks;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.ChangeCaptureProvider;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.device.DeviceOptions;
import io.pocketsync.transport.websocket.WebSocketClientConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.SQLiteDataSource;

/**
 * The stages of a bootstrap one after the other, on the pages of {@link BootstrapBenchmark}'s server store: the server
 * answering each PULL (store read and page planning), encoding the page in the WebSocket device's codec, decoding it,
 * and applying it on a new device file (the transaction and its commit). Their sum against the overlapped run says how
 * much the pipeline hides; each one is where a profile should look.
 */
final class BootstrapStages {
    /** The encoding a WebSocket device sends in, and so the one the server answers it in, by default. */
    static final String DEVICE_CODEC = WebSocketClientConfig.DEFAULT_CODEC;

    private final Path dir;
    private final Path serverDir;
    private final int rows;

    BootstrapStages(Path dir, Path serverDir, int rows) {
        this.dir = dir;
        this.serverDir = serverDir;
        this.rows = rows;
    }

    List<Measurement> run() throws Exception {
        Codec codec = new BenchContext("bench").codec(DEVICE_CODEC);
        long serve = 0;
        long encode = 0;
        long decode = 0;
        long apply = 0;
        long bytes = 0;
        int pages = 0;
        Path file = dir.resolve("bootstrap-stages.db");
        SQLiteDataSource source = new SQLiteDataSource();
        source.setUrl("jdbc:sqlite:" + file);
        source.setJournalMode("WAL");
        try (Connection connection = source.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(BenchDevice.SCHEMA);
        }
        ChangeCaptureProvider provider = BenchContext.provider(ChangeCaptureProvider.class, "sqlite-triggers",
                ChangeCaptureProvider::name);
        int limit = DeviceOptions.DEFAULTS.pullLimit();
        try (BenchServer server = new BenchServer(serverDir, BootstrapBenchmark.SCOPE, null, null);
                ChangeCapture capture = provider.create(source, PluginConfig.empty("capture.sqlite-triggers"),
                        new BenchContext("bench-stages"))) {
            capture.install(List.of("items"));
            InJvmDevice device = new InJvmDevice(server.server(), "stages-device");
            device.hello(BootstrapBenchmark.SCOPE, BenchServer.TOKEN, 0);
            long cursor = 0;
            boolean more = true;
            while (more) {
                long t0 = System.nanoTime();
                device.send(new Pull(ProtocolVersion.CURRENT, cursor, limit), null);
                Changes page = device.await(Changes.class);
                long t1 = System.nanoTime();
                byte[] encoded = codec.encode(page);
                long t2 = System.nanoTime();
                Changes decoded = (Changes) codec.decode(encoded);
                long t3 = System.nanoTime();
                capture.apply(decoded.changes(), decoded.sequences(), decoded.fromCursor(), decoded.cursor(), decoded.mode(),
                        !decoded.hasMore());
                long t4 = System.nanoTime();
                serve += t1 - t0;
                encode += t2 - t1;
                decode += t3 - t2;
                apply += t4 - t3;
                bytes += encoded.length;
                pages++;
                cursor = page.cursor();
                more = page.hasMore();
            }
            if (capture.state().cursor() != cursor) {
                throw new IllegalStateException("the stage run ended at cursor " + capture.state().cursor());
            }
        }
        finally {
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Files.deleteIfExists(Path.of(file + suffix));
            }
        }
        String label = "bootstrap stages one after the other (" + pages + " pages, " + codec.name() + ")";
        List<Measurement> out = new ArrayList<>();
        out.add(stage(label, "server read and plan", serve));
        out.add(stage(label, "encode", encode));
        out.add(stage(label, "decode", decode));
        out.add(stage(label, "apply and commit", apply));
        out.add(stage(label, "sum", serve + encode + decode + apply));
        out.add(Measurement.of(label + ": bytes on the wire a row", (double) bytes / rows, Double.NaN, "bytes", "-", false));
        return out;
    }

    private static Measurement stage(String label, String stage, long nanos) {
        return Measurement.of(label + ": " + stage, nanos / 1e9, Double.NaN, "s", "-", false);
    }
}
