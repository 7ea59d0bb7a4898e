package io.pocketsync.benchmarks;

import java.util.Arrays;

/** Repeats a timed run and keeps the median, interleaving subject and baseline so drift hits both. */
final class Timing {
    private Timing() {}

    /** Operations done in a measured phase and how long that phase took (set-up excluded). */
    record Sample(long ops, long nanos) {
        static Sample since(long startNanos, long ops) {
            return new Sample(ops, System.nanoTime() - startNanos);
        }

        double perSecond() {
            return ops / (nanos / 1e9);
        }
    }

    /** One measured run. */
    @FunctionalInterface
    interface Run {
        Sample run() throws Exception;
    }

    /** Median ops/s over {@code rounds} runs after one warm-up run. */
    static double opsPerSecond(int rounds, Run run) throws Exception {
        run.run();
        double[] rates = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            rates[i] = run.run().perSecond();
        }
        Arrays.sort(rates);
        return rates[rounds / 2];
    }

    /** Median ops/s of subject and baseline, interleaved round by round, after one warm-up of each. */
    static double[] interleaved(int rounds, Run subject, Run baseline) throws Exception {
        return interleaved(1, rounds, subject, baseline);
    }

    /** Median ops/s of subject and baseline, interleaved round by round, after {@code warmups} rounds of each. */
    static double[] interleaved(int warmups, int rounds, Run subject, Run baseline) throws Exception {
        for (int i = 0; i < warmups; i++) {
            subject.run();
            baseline.run();
        }
        double[] s = new double[rounds];
        double[] b = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            b[i] = baseline.run().perSecond();
            s[i] = subject.run().perSecond();
        }
        Arrays.sort(s);
        Arrays.sort(b);
        return new double[] {s[rounds / 2], b[rounds / 2]};
    }

    /** The p-th percentile (0–100) of sorted nanosecond samples, in milliseconds. */
    static double percentileMillis(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, index))] / 1e6;
    }
}
