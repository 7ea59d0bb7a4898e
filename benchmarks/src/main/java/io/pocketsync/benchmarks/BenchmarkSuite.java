package io.pocketsync.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the benchmarks of docs/benchmarks.md and prints one table: each PocketSync figure next to
 * its baseline measured in the same run, and their ratio.
 *
 * <pre>
 * benchmarks/run.sh                      # everything, full size
 * benchmarks/run.sh --quick              # smaller sizes, for a smoke run
 * benchmarks/run.sh --only bulk --bulk-rows 300000   # the bulk push at one size, one round
 * benchmarks/run.sh --out table.md       # the table also to a file
 * benchmarks/run.sh --json FILE          # machine-readable results (default benchmarks/target/benchmark-results.json)
 * </pre>
 *
 * The JSON file holds the machine, the arguments, every row of the table and the latency distributions
 * ({@link LatencyLog}); {@code benchmarks/charts.sh} draws the report's charts from it.
 *
 * Redis is read from {@code PS_REDIS_URI} (default {@code redis://127.0.0.1:6379}), Mosquitto from
 * {@code PS_MQTT_URI} (default {@code tcp://127.0.0.1:1883}).
 */
public final class BenchmarkSuite {
    private BenchmarkSuite() {}

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        Path out = null;
        Path jsonOut = Path.of("benchmarks/target/benchmark-results.json");
        List<String> only = new ArrayList<>();
        int bulkRows = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--only" -> only.add(args[++i]);
                case "--json" -> jsonOut = Path.of(args[++i]);
                case "--bulk-rows" -> bulkRows = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected --quick, --out FILE, --json FILE, --only NAME, --bulk-rows N)");
            }
        }
        String redisUri = System.getenv().getOrDefault("PS_REDIS_URI", "redis://127.0.0.1:6379");
        Path dir = Files.createTempDirectory("pocketsync-bench");
        int rounds = quick ? 3 : 5;
        List<Measurement> results = new ArrayList<>();
        if (selected(only, "capture")) {
            results.addAll(new CaptureBenchmark(dir, quick ? 10_000 : 50_000, quick ? 500 : 2_000).run(rounds));
        }
        if (selected(only, "apply")) {
            results.add(new DeviceApplyBenchmark(dir, quick ? 10_000 : 50_000).run(rounds));
        }
        if (selected(only, "ingest")) {
            results.addAll(new StoreIngestBenchmark(dir, redisUri, quick ? 5_000 : 20_000).run(rounds));
        }
        if (selected(only, "checksums")) {
            // a ratio within a few percent needs more and longer rounds than the other sections: 9 rounds of 50,000
            results.addAll(new ChecksumBenchmark(dir, redisUri, quick ? 5_000 : 50_000, quick ? 100_000 : 1_000_000)
                    .run(quick ? rounds : 9));
        }
        if (selected(only, "engine")) {
            results.addAll(new EngineIngestBenchmark(dir, quick ? 5_000 : 20_000).run(rounds));
        }
        if (selected(only, "catchup")) {
            results.addAll(quick ? new CatchUpBenchmark(dir, 100_000, 1_000, 10_000).run()
                    : new CatchUpBenchmark(dir, 1_000_000, 10_000, 100_000).run());
        }
        if (selected(only, "bootstrap")) {
            // smaller tables first, time only: the chart of time against rows needs more than one point
            for (int size : quick ? new int[0] : new int[] {100_000, 300_000}) {
                results.addAll(new BootstrapBenchmark(dir, size).run(false));
            }
            results.addAll(new BootstrapBenchmark(dir, quick ? 200_000 : 1_000_000).run(true));
        }
        if (selected(only, "mqtt")) {
            String mqttUri = System.getenv().getOrDefault("PS_MQTT_URI", "tcp://127.0.0.1:1883");
            results.add(new MqttThroughputBenchmark(dir, mqttUri, quick ? 2_000 : 10_000).run(quick));
        }
        if (selected(only, "push")) {
            results.add(new WebSocketPushBenchmark(dir, quick ? 2_000 : 10_000).run(quick));
        }
        if (selected(only, "bulk") && bulkRows > 0) {
            results.addAll(new BulkPushBenchmark(dir, bulkRows).run(1, true));
        }
        else if (selected(only, "bulk")) {
            for (int size : quick ? new int[0] : new int[] {100_000, 300_000}) {
                results.addAll(new BulkPushBenchmark(dir, size).run(1, false));
            }
            results.addAll(new BulkPushBenchmark(dir, quick ? 200_000 : 1_000_000).run(3, true));
        }
        if (selected(only, "latency")) {
            results.addAll(new EndToEndLatencyBenchmark(dir, quick ? 200 : 1_000).run());
        }
        if (selected(only, "connections")) {
            results.addAll(new ConnectionsBenchmark(dir, quick ? 2_000 : 10_000, quick ? 10 : 30).run());
        }
        String report = render(results);
        System.out.println(report);
        if (out != null) {
            Files.writeString(out, report);
        }
        ResultsFile.write(jsonOut, machine(), List.of(args), results);
        System.out.println("results: " + jsonOut.toAbsolutePath());
    }

    private static boolean selected(List<String> only, String name) {
        return only.isEmpty() || only.contains(name);
    }

    static String render(List<Measurement> results) throws IOException {
        StringBuilder table = new StringBuilder();
        table.append("Machine: ").append(machine()).append("\n\n");
        table.append("| figure | PocketSync | baseline | unit | baseline is | ratio | target |\n");
        table.append("|---|---:|---:|---|---|---:|---:|\n");
        for (Measurement m : results) {
            String ratio = Double.isNaN(m.ratio()) ? "" : String.format(Locale.ROOT, "%.2fx", m.ratio());
            table.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", m.figure(),
                    number(m.value()), number(m.baseline()), m.unit(), m.baselineName(), ratio,
                    Double.isNaN(m.target()) ? "" : String.format(Locale.ROOT, ">= %.2fx%s", m.target(),
                            m.ratio() >= m.target() ? "" : " (missed)")));
        }
        return table.toString();
    }

    private static String number(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        return value >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.3f", value);
    }

    static String machine() throws IOException {
        String cpu = "unknown CPU";
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.exists(cpuinfo)) {
            cpu = Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        }
        return String.format(Locale.ROOT, "%s, %d cores, %d MiB max heap, Java %s, %s %s", cpu,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / (1024 * 1024),
                System.getProperty("java.version"), System.getProperty("os.name"),
                ManagementFactory.getRuntimeMXBean().getVmName());
    }
}
