package io.pocketsync.benchmarks;

/**
 * One figure of the report next to the baseline measured in the same run.
 *
 * @param figure what was measured
 * @param value the PocketSync figure
 * @param baseline the baseline figure
 * @param unit the unit of both
 * @param baselineName what the baseline is
 * @param higherIsBetter whether the ratio is value/baseline (throughput) or baseline/value (latency)
 * @param target the target ratio from the issues, or NaN when none
 */
public record Measurement(String figure, double value, double baseline, String unit, String baselineName,
        boolean higherIsBetter, double target) {

    /** PocketSync relative to the baseline: above 1 is better than the baseline. */
    public double ratio() {
        if (baseline == 0 || value == 0) {
            return Double.NaN;
        }
        return higherIsBetter ? value / baseline : baseline / value;
    }

    /** A figure without a ratio target. */
    public static Measurement of(String figure, double value, double baseline, String unit, String baselineName,
            boolean higherIsBetter) {
        return new Measurement(figure, value, baseline, unit, baselineName, higherIsBetter, Double.NaN);
    }
}
