package io.pocketsync.benchmarks.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * Draws the charts of docs/benchmarks.md from the suite's results file ({@code benchmarks/charts.sh} runs it):
 * <ul>
 * <li>{@code bench-latency.png}: each latency distribution of the run (percentile against milliseconds), PocketSync
 * next to its raw baseline;</li>
 * <li>{@code bench-bulk.png}: time against rows for the rows whose figure names {@code bulk} or {@code bootstrap} and
 * a count of rows ({@code "... 1000000 rows ..."}), in seconds, milliseconds or rows/s; skipped when the results have
 * none;</li>
 * <li>{@code bench-catchup.png}: bytes a late device is sent, against rows and changes
 * ({@code "catch-up of N changes over M rows: bytes sent"}), next to sending every change.</li>
 * </ul>
 * Headless Java2D: nothing to install beyond the JDK the benchmarks need.
 */
public final class Charts {
    private static final Pattern ROWS = Pattern.compile("(\\d[\\d,_]*)\\s*([kM])?\\s+(?:existing\\s+)?rows");
    private static final Pattern CATCH_UP = Pattern.compile("catch-up of (\\d+) changes over (\\d+) rows: bytes sent");

    private Charts() {}

    /**
     * @param args results file (default {@code benchmarks/target/benchmark-results.json}), output directory (default
     *        {@code docs})
     */
    public static void main(String[] args) throws IOException {
        Path results = Path.of(args.length > 0 ? args[0] : "benchmarks/target/benchmark-results.json");
        Path out = Path.of(args.length > 1 ? args[1] : "docs");
        JsonNode root = new ObjectMapper().readTree(results.toFile());
        Files.createDirectories(out);
        latency(root, out.resolve("bench-latency.png"));
        bulk(root, out.resolve("bench-bulk.png"));
        catchUp(root, out.resolve("bench-catchup.png"));
    }

    private static void latency(JsonNode root, Path file) throws IOException {
        JsonNode latency = root.path("latencyMillis");
        List<Double> percentiles = new ArrayList<>();
        latency.path("percentiles").forEach(p -> percentiles.add(p.asDouble()));
        List<Plot> plots = new ArrayList<>();
        for (Map.Entry<String, JsonNode> distribution : latency.path("distributions").properties()) {
            // log scale: a raw baseline of 0.1 ms and a tail of 100 ms both stay readable
            Plot plot = new Plot(distribution.getKey(), "percentile", "milliseconds (log scale)", false, true).xRange(0, 100);
            for (Map.Entry<String, JsonNode> side : distribution.getValue().properties()) {
                List<double[]> points = new ArrayList<>();
                for (int i = 0; i < percentiles.size(); i++) {
                    // the maximum is one sample: the chart shows the distribution up to p99.9
                    if (percentiles.get(i) < 100 && side.getValue().get(i).isNumber()) {
                        points.add(new double[] {percentiles.get(i), side.getValue().get(i).asDouble()});
                    }
                }
                plot.line(series(side.getKey(), points, side.getKey().startsWith("raw")));
            }
            plots.add(plot);
        }
        if (plots.isEmpty()) {
            System.out.println("no latency distributions in the results: " + file.getFileName() + " not written");
            return;
        }
        write(plots, 700, 480, file);
    }

    private static void bulk(JsonNode root, Path file) throws IOException {
        // kind ("bulk push", "bootstrap") -> side -> rows -> seconds
        Map<String, Map<String, TreeMap<Double, Double>>> kinds = new LinkedHashMap<>();
        for (JsonNode row : root.path("rows")) {
            String figure = row.path("figure").asText();
            String lower = figure.toLowerCase(Locale.ROOT);
            String kind = lower.contains("bootstrap") ? "bootstrap" : lower.contains("bulk") ? "bulk push" : null;
            Matcher rows = ROWS.matcher(figure);
            if (kind == null || !rows.find()) {
                continue;
            }
            double count = Double.parseDouble(rows.group(1).replace(",", "").replace("_", ""))
                    * ("k".equals(rows.group(2)) ? 1e3 : "M".equals(rows.group(2)) ? 1e6 : 1);
            String unit = row.path("unit").asText();
            add(kinds, kind + ", PocketSync", count, seconds(row.path("value"), unit, count));
            // one baseline line per kind: its rate row and its time row name it with and without the how
            String baseline = row.path("baselineIs").asText("baseline").replaceAll("\\s*\\(.*\\)$", "");
            add(kinds, kind + ", " + baseline, count, seconds(row.path("baseline"), unit, count));
        }
        if (kinds.isEmpty()) {
            System.out.println("no bulk push or bootstrap rows in the results: " + file.getFileName() + " not written");
            return;
        }
        Plot plot = new Plot("Bulk push and bootstrap: time against rows", "rows", "seconds", true, true);
        for (Map.Entry<String, Map<String, TreeMap<Double, Double>>> kind : kinds.entrySet()) {
            for (Map.Entry<String, TreeMap<Double, Double>> side : kind.getValue().entrySet()) {
                List<double[]> points = new ArrayList<>();
                side.getValue().forEach((rows, seconds) -> points.add(new double[] {rows, seconds}));
                plot.line(series(side.getKey(), points, !side.getKey().endsWith("PocketSync")));
            }
        }
        write(List.of(plot), 900, 480, file);
    }

    private static void add(Map<String, Map<String, TreeMap<Double, Double>>> kinds, String side, double rows, double seconds) {
        if (Double.isFinite(seconds) && seconds > 0) {
            String kind = side.substring(0, side.indexOf(','));
            kinds.computeIfAbsent(kind, k -> new LinkedHashMap<>()).computeIfAbsent(side, s -> new TreeMap<>()).put(rows, seconds);
        }
    }

    private static double seconds(JsonNode value, String unit, double rows) {
        if (!value.isNumber()) {
            return Double.NaN;
        }
        double v = value.asDouble();
        return switch (unit) {
            case "s" -> v;
            case "ms" -> v / 1000;
            case "rows/s", "changes/s" -> rows / v;
            default -> Double.NaN;
        };
    }

    private static void catchUp(JsonNode root, Path file) throws IOException {
        List<String> groups = new ArrayList<>();
        List<Double> sent = new ArrayList<>();
        List<Double> every = new ArrayList<>();
        for (JsonNode row : root.path("rows")) {
            Matcher m = CATCH_UP.matcher(row.path("figure").asText());
            if (m.find() && row.path("value").isNumber()) {
                groups.add(String.format(Locale.ROOT, "%s rows, %s changes", Plot.number(Double.parseDouble(m.group(2))),
                        Plot.number(Double.parseDouble(m.group(1)))));
                sent.add(row.path("value").asDouble());
                every.add(row.path("baseline").asDouble(Double.NaN));
            }
        }
        if (groups.isEmpty()) {
            System.out.println("no catch-up rows in the results: " + file.getFileName() + " not written");
            return;
        }
        Plot plot = new Plot("Catch-up: bytes a late device is sent", "rows in the scope, changes made while it was away",
                "bytes (log scale)", false, true);
        plot.bars(groups, List.of(new Plot.Series("PocketSync: each row's latest state", null, toArray(sent), false),
                new Plot.Series("every change sent", null, toArray(every), true)));
        write(List.of(plot), 900, 480, file);
    }

    private static Plot.Series series(String name, List<double[]> points, boolean dashed) {
        double[] x = new double[points.size()];
        double[] y = new double[points.size()];
        for (int i = 0; i < points.size(); i++) {
            x[i] = points.get(i)[0];
            y[i] = points.get(i)[1];
        }
        return new Plot.Series(name, x, y, dashed);
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void write(List<Plot> plots, int panelWidth, int height, Path file) throws IOException {
        BufferedImage image = new BufferedImage(panelWidth * plots.size(), height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), height);
        for (int i = 0; i < plots.size(); i++) {
            plots.get(i).draw(g, i * panelWidth, 0, panelWidth, height);
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
        System.out.println("wrote " + file);
    }
}
