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
 *   <li>{@code pocketsync.store.latency{operation}} and {@code pocketsync.push.latency} (PUSH received to ACK sent)
 *       timers with histogram buckets [{@code pocketsync_store_latency_seconds_bucket{le}}], so a p99 can be
 *       aggregated across nodes</li>
 *   <li>{@code pocketsync.errors.sent{code}} counter</li>
 * </ul>
 * Scopes are not a tag: their number is unbounded. Every meter has a description, which Prometheus shows as HELP.
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
                .description("Broadcasts a device missed because its byte budget or its scope's was spent (it catches up)").register(registry);
        // Registered up front so that /metrics lists them before the first device connects; a series with a tag
        // value per code appears with its first event (no placeholder series).
        gauge("websocket");
        gauge("mqtt");
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
        Counter.builder("pocketsync.sessions.opened").tag("transport", transport)
                .description("HELLOs accepted (sessions that got a WELCOME)").register(registry).increment();
    }

    @Override
    public void sessionRefused(String transport, ErrorCode code) {
        Counter.builder("pocketsync.sessions.refused").tag("transport", transport).tag("code", code.name())
                .description("HELLOs refused (wrong token, forbidden scope, bad identifiers) or messages before HELLO")
                .register(registry).increment();
    }

    @Override
    public void loginThrottled(String transport, String by) {
        registry.counter("pocketsync.auth.throttled", "transport", transport, "by", by).increment();
    }

    @Override
    public void checksumsServed(Scope scope, String kind, int count) {
        // kind "rows" counts the row states devices fetched to repair their copy: each is a row that had drifted
        Counter.builder("pocketsync.checksums.served").tag("kind", kind)
                .description("Checksum answers served: tables compared, bucket hashes, or rows fetched to repair a copy")
                .register(registry).increment(count);
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
        Counter.builder("pocketsync.changes.rejected").tag("code", code.name())
                .description("Changes refused with an error code").register(registry).increment();
        ingested.increment();
    }

    @Override
    public void errorSent(ErrorCode code) {
        Counter.builder("pocketsync.errors.sent").tag("code", code.name())
                .description("ERROR messages sent to devices").register(registry).increment();
    }

    @Override
    public void broadcast(Scope scope, int recipients, int droppedCount) {
        fanout.record(recipients);
        dropped.increment(droppedCount);
    }

    @Override
    public void catchUpPage(Scope scope, ChangesMode mode, int rows, long bytes) {
        String tag = mode.name().toLowerCase(java.util.Locale.ROOT);
        Counter.builder("pocketsync.catchup.batches").tag("mode", tag)
                .description("Catch-up and snapshot pages sent").register(registry).increment();
        Counter.builder("pocketsync.catchup.rows").tag("mode", tag)
                .description("Rows sent in catch-up and snapshot pages").register(registry).increment(rows);
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
        latencyHistogram(Timer.builder("pocketsync.store.latency").tag("operation", operation)
                .description("Time of store calls")).register(registry).record(duration);
    }

    @Override
    public void pushAnswered(Scope scope, int changes, Duration duration) {
        latencyHistogram(Timer.builder("pocketsync.push.latency")
                .description("Time from a PUSH received to its ACK sent (validation, store, answer)")).register(registry)
                .record(duration);
    }

    /**
     * Fixed buckets from 1 ms to 10 s (and +Inf): what {@code histogram_quantile} needs for a p99 summed over nodes, in
     * 15 series per timer rather than the ~70 of Micrometer's default histogram.
     */
    private static Timer.Builder latencyHistogram(Timer.Builder builder) {
        return builder.serviceLevelObjectives(LATENCY_BUCKETS);
    }

    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};
}
