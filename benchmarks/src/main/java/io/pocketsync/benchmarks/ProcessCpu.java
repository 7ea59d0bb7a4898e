package io.pocketsync.benchmarks;

import java.lang.management.ManagementFactory;

/** CPU time this JVM used so far: all of its threads, GC and JIT included. */
final class ProcessCpu {
    private ProcessCpu() {}

    static long nanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
