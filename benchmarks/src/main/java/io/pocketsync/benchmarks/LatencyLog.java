package io.pocketsync.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The latency distributions measured in this run, for the machine-readable results (and the charts drawn from
 * them): per distribution and side, the percentiles 1..99, 99.9 and the maximum, in milliseconds. One per JVM: the
 * suite runs its benchmarks one after another on the main thread.
 */
final class LatencyLog {
    private static final double[] PERCENTILES = percentiles();
    private static final Map<String, Map<String, List<Double>>> DISTRIBUTIONS = new LinkedHashMap<>();

    private LatencyLog() {}

    /** Keeps the percentiles of {@code sortedNanos} as {@code side} of {@code distribution}. */
    static synchronized void record(String distribution, String side, long[] sortedNanos) {
        List<Double> millis = new ArrayList<>(PERCENTILES.length);
        for (double p : PERCENTILES) {
            millis.add(Timing.percentileMillis(sortedNanos, p));
        }
        DISTRIBUTIONS.computeIfAbsent(distribution, d -> new LinkedHashMap<>()).put(side, millis);
    }

    /** The percentiles every recorded list holds, in order. */
    static List<Double> percentileList() {
        List<Double> list = new ArrayList<>(PERCENTILES.length);
        for (double p : PERCENTILES) {
            list.add(p);
        }
        return list;
    }

    /** Distribution name to side to milliseconds at each of {@link #percentileList()}. */
    static synchronized Map<String, Map<String, List<Double>>> distributions() {
        return new LinkedHashMap<>(DISTRIBUTIONS);
    }

    private static double[] percentiles() {
        double[] ps = new double[101];
        for (int i = 1; i <= 99; i++) {
            ps[i - 1] = i;
        }
        ps[99] = 99.9;
        ps[100] = 100;
        return ps;
    }
}
