package io.pocketsync.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The suite's machine-readable output: one JSON object with {@code machine}, {@code args}, {@code rows} (each
 * figure with its baseline, unit, ratio and target; NaN written as null) and {@code latency} ({@link LatencyLog}).
 */
final class ResultsFile {
    private ResultsFile() {}

    static void write(Path file, String machine, List<String> args, List<Measurement> results) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Measurement m : results) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("figure", m.figure());
            row.put("value", finite(m.value()));
            row.put("baseline", finite(m.baseline()));
            row.put("unit", m.unit());
            row.put("baselineIs", m.baselineName());
            row.put("higherIsBetter", m.higherIsBetter());
            row.put("ratio", finite(m.ratio()));
            row.put("target", finite(m.target()));
            rows.add(row);
        }
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("percentiles", LatencyLog.percentileList());
        latency.put("distributions", LatencyLog.distributions());
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("machine", machine);
        root.put("args", args);
        root.put("rows", rows);
        root.put("latencyMillis", latency);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
