package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.ScopeNotes;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.api.transport.Connection;
import io.pocketsync.api.transport.ConnectionListener;
import io.pocketsync.core.clock.HybridLogicalClock;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync server engine, independent of transports and stores: sessions (HELLO, authentication,
 * scope), ingest (PUSH → ACK), live broadcast, catch-up and snapshots (PULL → CHANGES), retention and
 * the operators' audit query. See {@code docs/protocol.md} §3 for the conversation it implements.
 *
 * <p>Usage: {@code server.start(); transport.start(server::accept); ... server.close(); transport.close();
 * store.close();}. Any number of transports can hand connections to one server; broadcasts reach every
 * session of a scope whatever its transport, and through the store's change feed, other nodes' commits.
 *
 * <p>Lifecycle and ownership: {@link #start()} subscribes to the store's feed and schedules the
 * retention job; {@link #close()} stops accepting, closes every session (ERROR SHUTTING_DOWN), stops the
 * retention job and the workers, and unsubscribes from the feed. The server does not own the store nor
 * the transports: whoever created them closes them, after the server.
 *
 * <p>Threads: each session's messages are handled in order on a pool shared by all sessions (so
 * transport I/O threads never wait for the store); broadcasts go out on store feed threads. Thread-safe.
 */
public final class SyncServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncServer.class);
    private static final long SWEEP_MILLIS = 100;

    private final ServerServices services;
    private final HandshakeHandler handshake;
    private final IngestPipeline ingest;
    private final CatchUpPlanner catchUp;
    private final Broadcaster broadcaster;
    private final RetentionJob retention;
    private final DeviceSweep sweep;
    private final ServerAdmin admin;
    private final SessionDeadlines deadlines;
    private final AtomicLong sessionCounter = new AtomicLong();
    private final Object lifecycle = new Object();
    private ExecutorService workers;
    private ScheduledExecutorService scheduler;
    private AutoCloseable feedSubscription;
    private volatile boolean started;
    private volatile boolean closed;

    /**
     * @param store the durable state; not closed by the server
     * @param authenticator turns HELLO credentials into a scope
     * @param resolvers the conflict resolver of each table
     * @param options limits and timings
     * @param listener metrics events; {@link ServerListener#NONE} for none
     * @param clock the wall clock (skew checks, the server HLC, retention)
     */
    public SyncServer(ServerStore store, Authenticator authenticator, TableResolvers resolvers, ServerOptions options,
            ServerListener listener, Clock clock) {
        requireNonNull(options, "options is null");
        requireNonNull(clock, "clock is null");
        requireNonNull(store, "store is null");
        ScopeNotes notes = store.scopeNotes().orElseGet(ScopeNotes::inMemory);
        this.services = new ServerServices(
                store,
                requireNonNull(authenticator, "authenticator is null"),
                requireNonNull(resolvers, "resolvers is null"),
                options,
                requireNonNull(listener, "listener is null"),
                clock,
                new HybridLogicalClock(clock, options.clockSkew()),
                new SessionRegistry(),
                new DeviceControls(notes, clock),
                new DeviceSightings(notes, clock, options.nodeId()));
        this.deadlines = new SessionDeadlines(options.loginLimits());
        this.handshake = new HandshakeHandler(services, new LoginThrottle(options.loginLimits(), clock), deadlines);
        this.ingest = new IngestPipeline(services, clock);
        this.catchUp = new CatchUpPlanner(services);
        this.broadcaster = new Broadcaster(services);
        this.retention = new RetentionJob(services);
        this.sweep = new DeviceSweep(services);
        this.admin = new ServerAdmin(services, ingest);
    }

    /**
     * A builder for use without an injector.
     *
     * @return a new builder with last-write-wins resolvers, default options, no listener and the UTC clock
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Subscribes to the store's change feed, starts the workers and schedules retention. Idempotent. */
    public void start() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("server is closed");
            }
            if (started) {
                return;
            }
            workers = Executors.newFixedThreadPool(services.options().workerThreads(), threads("pocketsync-server"));
            scheduler = Executors.newSingleThreadScheduledExecutor(threads("pocketsync-retention"));
            long interval = services.options().pruneInterval().toMillis();
            scheduler.scheduleWithFixedDelay(retention, interval, interval, TimeUnit.MILLISECONDS);
            // sessions left out of live broadcast for their scope's byte budget learn to catch up once they have read
            scheduler.scheduleWithFixedDelay(broadcaster::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
            long sweepInterval = DeviceSweep.INTERVAL.toMillis();
            scheduler.scheduleWithFixedDelay(sweep, sweepInterval, sweepInterval, TimeUnit.MILLISECONDS);
            deadlines.start();
            feedSubscription = services.store().subscribe(broadcaster);
            started = true;
            LOG.info("sync server {} started: {} ", services.options().nodeId(), services.resolvers());
        }
    }

    /**
     * Takes a new device connection; this is the {@link io.pocketsync.api.transport.ServerTransport.Acceptor}
     * ({@code transport.start(server::accept)}). A closed server refuses it with SHUTTING_DOWN.
     *
     * @param connection a new, open device connection; not null
     * @return the listener the transport feeds the connection's messages and close to
     * @throws IllegalStateException when {@link #start()} was not called
     */
    public ConnectionListener accept(Connection connection) {
        requireNonNull(connection, "connection is null");
        if (closed) {
            connection.close(ErrorCode.SHUTTING_DOWN, "server is shutting down");
            return Refused.INSTANCE;
        }
        if (!started) {
            throw new IllegalStateException("start() the server before accepting connections");
        }
        // counted per connection, not per scope session: a device of three scopes is one connection (ConnectionScopes
        // balances it when the connection closes)
        services.listener().connected(connection.transport());
        // one session per scope the connection carries (protocol 3); a version 1 or 2 device only ever has the first
        return new ConnectionScopes(connection, this::openSession,
                () -> services.listener().disconnected(connection.transport()));
    }

    private Session openSession(Connection view) {
        String id = services.options().nodeId() + "-" + sessionCounter.incrementAndGet();
        Session session = new Session(id, view, services,
                new SerialExecutor(workers, services.options().maxQueuedMessagesPerSession()), handshake, ingest, catchUp);
        services.registry().opened(session);
        handshake.opened(session);
        return session;
    }

    /**
     * Superseded and rejected changes of a scope with id greater than {@code afterId}, oldest first.
     *
     * @param scope the scope to read; not null
     * @param afterId the last entry id already seen; 0 to start from the oldest
     * @param limit the most entries returned
     * @return up to {@code limit} entries; empty when there are no more
     */
    public List<AuditEntry> audit(Scope scope, long afterId, int limit) {
        return services.store().audit(requireNonNull(scope, "scope is null"), afterId, limit);
    }

    /**
     * What operators see and do (the admin API): devices and their sessions, revocation, resync, the audit log.
     *
     * @return this server's operations; usable while the server runs
     */
    public ServerAdmin admin() {
        return admin;
    }

    /** Runs the device sweep now (it also runs every few seconds): writes sightings, applies other nodes' controls. */
    public void sweepNow() {
        sweep.run();
    }

    /** Runs the retention job now (it also runs every {@code pruneInterval}). */
    public void pruneNow() {
        retention.run();
    }

    /**
     * The number of sessions that completed HELLO on this node.
     *
     * @return sessions of this node that are past HELLO and not closed
     */
    public int sessionCount() {
        return services.registry().joined().size();
    }

    /** The broadcaster, for tests of the scope budget. */
    Broadcaster broadcaster() {
        return broadcaster;
    }

    /**
     * The server's options.
     *
     * @return the options the server was built with
     */
    public ServerOptions options() {
        return services.options();
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (Session session : services.registry().all()) {
            session.close(ErrorCode.SHUTTING_DOWN, "server is shutting down");
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        // the closed sessions' last sightings, while the store is still open (its owner closes it after the server)
        services.sightings().flush();
        deadlines.close();
        if (feedSubscription != null) {
            try {
                feedSubscription.close();
            }
            catch (Exception e) {
                LOG.warn("unsubscribing from the change feed failed: {}", e.toString());
            }
        }
        if (workers != null) {
            workers.shutdown();
            try {
                if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                    workers.shutdownNow();
                }
            }
            catch (InterruptedException e) {
                workers.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        LOG.info("sync server {} closed", services.options().nodeId());
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The listener of a connection refused during shutdown. */
    private enum Refused implements ConnectionListener {
        INSTANCE;

        @Override
        public void onMessage(Message message) {}

        @Override
        public void onClose() {}
    }

    /** Builds a server by hand; store and authenticator are required. Not thread-safe. */
    public static final class Builder {
        private ServerStore store;
        private Authenticator authenticator;
        private TableResolvers resolvers = TableResolvers.lastWriteWins();
        private ServerOptions options = ServerOptions.defaults();
        private ServerListener listener = ServerListener.NONE;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /**
         * The durable state. Required; the server does not close it.
         *
         * @param value the store
         * @return this builder
         */
        public Builder store(ServerStore value) {
            store = value;
            return this;
        }

        /**
         * Turns HELLO credentials into a scope. Required.
         *
         * @param value the authenticator
         * @return this builder
         */
        public Builder authenticator(Authenticator value) {
            authenticator = value;
            return this;
        }

        /**
         * The conflict resolver of each table. Default: last-write-wins everywhere.
         *
         * @param value the resolvers
         * @return this builder
         */
        public Builder resolvers(TableResolvers value) {
            resolvers = value;
            return this;
        }

        /**
         * Limits and timings. Default: {@link ServerOptions#defaults()}.
         *
         * @param value the options
         * @return this builder
         */
        public Builder options(ServerOptions value) {
            options = value;
            return this;
        }

        /**
         * Metrics events. Default: {@link ServerListener#NONE}.
         *
         * @param value the listener
         * @return this builder
         */
        public Builder listener(ServerListener value) {
            listener = value;
            return this;
        }

        /**
         * The wall clock of skew checks, the server HLC and retention. Default: the UTC system clock.
         *
         * @param value the clock
         * @return this builder
         */
        public Builder clock(Clock value) {
            clock = value;
            return this;
        }

        /**
         * Builds the server.
         *
         * @return a new server, not started
         * @throws NullPointerException when the store or the authenticator was not set
         */
        public SyncServer build() {
            return new SyncServer(store, authenticator, resolvers, options, listener, clock);
        }
    }
}
