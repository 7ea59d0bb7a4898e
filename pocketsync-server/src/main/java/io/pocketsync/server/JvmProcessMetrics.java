package io.pocketsync.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * The server process's own meters next to PocketSync's: JVM memory, garbage collection, threads and classes, CPU,
 * open file descriptors, uptime ({@code jvm_*}, {@code process_*}, {@code system_*}), and
 * {@code pocketsync_build_info{version, java}} (always 1), so a dashboard can tell which nodes run which build.
 *
 * <p>{@link #close()} detaches the garbage collection listener; the other meters go with their registry.
 */
final class JvmProcessMetrics implements AutoCloseable {
    private final JvmGcMetrics gc = new JvmGcMetrics();

    JvmProcessMetrics(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("pocketsync.build.info", () -> 1)
                .description("PocketSync build of this node (always 1; the version is a tag)")
                .tag("version", VersionProvider.version())
                .tag("java", System.getProperty("java.version"))
                .register(registry);
    }

    @Override
    public void close() {
        gc.close();
    }
}
