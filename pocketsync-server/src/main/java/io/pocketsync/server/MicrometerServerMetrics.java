package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.server.engine.ServerListener;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Backs the server engine's {@link ServerListener} with Micrometer meters. Names (Prometheus form in
 * brackets) are documented in the module README:
 * <ul>
 *   <li>{@code pocketsync.devices.connected{transport}} gauge [{@code pocketsync_devices_connected}]</li>
 *   <li>{@code pocketsync.sessions.opened{transport}}, {@code pocketsync.sessions.refused{transport,code}}</li>
 *   <li>{@code pocketsync.auth.throttled{transport,by}} counter of logins refused unchecked because their address or
 *       device id ({@code by}) is throttled [{@code pocketsync_auth_throttled_total}]</li>
 *   <li>{@code pocketsync.changes.ingested}, {@code .applied}, {@code .duplicate}, {@code .superseded},
 *       {@code .rejected{code}} counters [{@code pocketsync_changes_applied_total}, ...]</li>
 *   <li>{@code pocketsync.broadcast.fanout} summary of recipients per committed batch,
 *       {@code pocketsync.broadcast.dropped} counter</li>
 *   <li>{@code pocketsync.catchup.batches{mode}}, {@code pocketsync.catchup.rows{mode}} counters,
 *       {@code pocketsync.catchup.bytes{mode}} and {@code pocketsync.catchup.lag{mode}} (sequences behind) summaries</li>
 *   <li>{@code pocketsync.store.latency{operation}} timer</li>
 *   <li>{@code pocketsync.errors.sent{code}} counter</li>
 * </ul>
 * Scopes are not a tag: their number is unbounded.
 *
 * <p>Thread-safe: called concurrently from engine threads; every method is a few atomic updates.
 */
public final class MicrometerServerMetrics extends ServerListener {
    private final MeterRegistry registry;
    private final ConcurrentMap<String, AtomicInteger> connected = new ConcurrentHashMap<>();
    private final Counter ingested;
    private final Counter applied;
    private final Counter duplicate;
    private final Counter superseded;
    private final DistributionSummary fanout;
    private final Counter dropped;

    /**
     * Registers the server's meters ({@code pocketsync.*}) in {@code registry} at once, so they are listed before
     * the first event.
     *
     * @param registry where the meters live; not null, owned by the caller
     */
    public MicrometerServerMetrics(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
        this.ingested = Counter.builder("pocketsync.changes.ingested")
                .description("Changes received in PUSH messages (every outcome)").register(registry);
        this.applied = Counter.builder("pocketsync.changes.applied")
                .description("Changes stored with a new server sequence").register(registry);
        this.duplicate = Counter.builder("pocketsync.changes.duplicate")
                .description("Changes already stored (redelivery)").register(registry);
        this.superseded = Counter.builder("pocketsync.changes.superseded")
                .description("Changes that lost their conflict; the stored row stayed").register(registry);
        this.fanout = DistributionSummary.builder("pocketsync.broadcast.fanout")
                .description("Sessions a committed batch was broadcast to on this node").register(registry);
        this.dropped = Counter.builder("pocketsync.broadcast.dropped")
                .description("Broadcasts dropped because a device's queue was full (it catches up)").register(registry);
        // Registered up front so that /metrics lists them before the first device connects.
        gauge("websocket");
        gauge("mqtt");
        Counter.builder("pocketsync.changes.rejected").tag("code", "none")
                .description("Changes refused with an error code").register(registry);
    }

    /**
     * The registry the meters live in.
     *
     * @return the registry given to the constructor
     */
    public MeterRegistry registry() {
        return registry;
    }

    private AtomicInteger gauge(String transport) {
        return connected.computeIfAbsent(transport, t -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder("pocketsync.devices.connected", value, AtomicInteger::get)
                    .description("Open device connections").tag("transport", t).register(registry);
            return value;
        });
    }

    @Override
    public void connected(String transport) {
        gauge(transport).incrementAndGet();
    }

    @Override
    public void disconnected(String transport) {
        gauge(transport).updateAndGet(v -> Math.max(0, v - 1));
    }

    @Override
    public void sessionOpened(Scope scope, String transport) {
        registry.counter("pocketsync.sessions.opened", "transport", transport).increment();
    }

    @Override
    public void sessionRefused(String transport, ErrorCode code) {
        registry.counter("pocketsync.sessions.refused", "transport", transport, "code", code.name()).increment();
    }

    @Override
    public void loginThrottled(String transport, String by) {
        registry.counter("pocketsync.auth.throttled", "transport", transport, "by", by).increment();
    }

    @Override
    public void checksumsServed(Scope scope, String kind, int count) {
        // kind "rows" counts the row states devices fetched to repair their copy: each is a row that had drifted
        registry.counter("pocketsync.checksums.served", "kind", kind).increment(count);
    }

    @Override
    public void changesApplied(Scope scope, int count) {
        applied.increment(count);
        ingested.increment(count);
    }

    @Override
    public void changesDuplicate(Scope scope, int count) {
        duplicate.increment(count);
        ingested.increment(count);
    }

    @Override
    public void changesSuperseded(Scope scope, int count) {
        superseded.increment(count);
        ingested.increment(count);
    }

    @Override
    public void changeRejected(Scope scope, ErrorCode code) {
        registry.counter("pocketsync.changes.rejected", "code", code.name()).increment();
        ingested.increment();
    }

    @Override
    public void errorSent(ErrorCode code) {
        registry.counter("pocketsync.errors.sent", "code", code.name()).increment();
    }

    @Override
    public void broadcast(Scope scope, int recipients, int droppedCount) {
        fanout.record(recipients);
        dropped.increment(droppedCount);
    }

    @Override
    public void catchUpPage(Scope scope, ChangesMode mode, int rows, long bytes) {
        String tag = mode.name().toLowerCase(java.util.Locale.ROOT);
        registry.counter("pocketsync.catchup.batches", "mode", tag).increment();
        registry.counter("pocketsync.catchup.rows", "mode", tag).increment(rows);
        DistributionSummary.builder("pocketsync.catchup.bytes").baseUnit("bytes").tag("mode", tag)
                .description("Estimated bytes per catch-up page").register(registry).record(bytes);
    }

    @Override
    public void catchUpLag(Scope scope, ChangesMode mode, long behind) {
        DistributionSummary.builder("pocketsync.catchup.lag").baseUnit("sequences")
                .tag("mode", mode.name().toLowerCase(java.util.Locale.ROOT))
                .description("How far behind its scope's head a device was when it pulled a page")
                .register(registry).record(behind);
    }

    @Override
    public void storeLatency(String operation, Duration duration) {
        Timer.builder("pocketsync.store.latency").tag("operation", operation)
                .description("Time of store calls").register(registry).record(duration);
    }
}
