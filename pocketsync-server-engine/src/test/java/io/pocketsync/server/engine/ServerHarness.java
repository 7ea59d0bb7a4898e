package io.pocketsync.server.engine;

import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.core.config.Settings;
import io.pocketsync.server.engine.assembly.ServerAssembly;
import io.pocketsync.server.engine.auth.StaticTokenAuthenticator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** A started server over a given store, with test devices that speak the protocol by hand. */
public final class ServerHarness implements AutoCloseable {
    public static final long NOW_MILLIS = 1_700_000_000_000L;

    private final SyncServer server;
    private final MutableClock clock;
    private final String scope;

    public ServerHarness(ServerStore store, String scope, TableResolvers resolvers, ServerOptions options) {
        this.scope = scope;
        this.clock = new MutableClock(Instant.ofEpochMilli(NOW_MILLIS));
        Authenticator authenticator = StaticTokenAuthenticator.parse(scope + ":secret-" + scope, scope + ":read-only-" + scope);
        this.server = SyncServer.builder().store(store).authenticator(authenticator).resolvers(resolvers)
                .options(options).clock(clock).build();
        server.start();
    }

    public ServerHarness(ServerStore store, String scope) {
        this(store, scope, TableResolvers.lastWriteWins(), ServerOptions.builder().nodeId("test-node").build());
    }

    /** The resolvers a server configured with {@code keysAndValues} ({@code resolver.default}, ...) uses. */
    public static TableResolvers configuredResolvers(String... keysAndValues) {
        Map<String, String> keys = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            keys.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return ServerAssembly.of(Settings.of(keys)).resolvers();
    }

    public SyncServer server() {
        return server;
    }

    public MutableClock clock() {
        return clock;
    }

    public String scope() {
        return scope;
    }

    /** A device connected and welcomed at {@code cursor}. */
    public Device connect(String deviceId, long cursor) {
        return connect(deviceId, cursor, "secret-" + scope);
    }

    /** A device granted read-only, connected and welcomed at {@code cursor}. */
    public Device connectReadOnly(String deviceId, long cursor) {
        return connect(deviceId, cursor, "read-only-" + scope);
    }

    private Device connect(String deviceId, long cursor, String token) {
        Device device = open(deviceId);
        device.send(new Hello(ProtocolVersion.CURRENT, deviceId, scope, token, cursor, Hlc.of(NOW_MILLIS, 0)));
        device.await(Welcome.class, w -> true);
        return device;
    }

    /** A device connected and welcomed at {@code cursor}, subscribed to {@code tables} (null: every table). */
    public Device connect(String deviceId, long cursor, List<String> tables) {
        Device device = open(deviceId);
        device.send(new Hello(ProtocolVersion.CURRENT, deviceId, scope, "secret-" + scope, cursor, Hlc.of(NOW_MILLIS, 0), 0,
                tables));
        device.await(Welcome.class, w -> true);
        return device;
    }

    /** A connection that has sent nothing yet. */
    public Device open(String deviceId) {
        TestingConnection connection = new TestingConnection("test");
        connection.attach(server.accept(connection));
        return new Device(deviceId, connection);
    }

    @Override
    public void close() {
        server.close();
    }

    /** A device's side of the conversation. */
    public final class Device {
        private final String id;
        private final TestingConnection connection;
        private final AtomicInteger counter = new AtomicInteger();

        Device(String id, TestingConnection connection) {
            this.id = id;
            this.connection = connection;
        }

        public String id() {
            return id;
        }

        public TestingConnection connection() {
            return connection;
        }

        public void send(Message message) {
            connection.receive(message);
        }

        public <T extends Message> T await(Class<T> type, Predicate<T> matching) {
            return await().until(() -> connection.sent(type).stream().filter(matching).findFirst().orElse(null),
                    found -> found != null);
        }

        private org.awaitility.core.ConditionFactory await() {
            return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
        }

        /** Pushes and waits for the ACK. */
        public Ack push(Change... changes) {
            String batch = id + "-b" + counter.incrementAndGet();
            send(new Push(ProtocolVersion.CURRENT, batch, List.of(changes)));
            return await(Ack.class, ack -> ack.batchId().equals(batch));
        }

        /** Pushes a bulk page and waits for the ACK. */
        public Ack pushBulk(Change... changes) {
            String batch = id + "-b" + counter.incrementAndGet();
            send(new Push(ProtocolVersion.CURRENT, batch, List.of(changes), true));
            return await(Ack.class, ack -> ack.batchId().equals(batch));
        }

        /** Pulls one page and waits for it. */
        public Changes pull(long cursor, int limit) {
            return pullOwn(cursor, limit, 0);
        }

        /** A PULL that names where this device's own acknowledged changes start. */
        public Changes pullOwn(long cursor, int limit, long ownFrom) {
            long before = pages().size();
            send(new Pull(ProtocolVersion.CURRENT, cursor, limit, ownFrom));
            await().until(() -> pages().size() > before);
            List<Changes> pages = pages();
            return pages.get(pages.size() - 1);
        }

        /** A PULL with {@code self}: the device's own rows too (a repair). */
        public Changes pullSelf(long cursor, int limit) {
            long before = pages().size();
            send(new Pull(ProtocolVersion.CURRENT, cursor, limit, 0, true));
            await().until(() -> pages().size() > before);
            List<Changes> pages = pages();
            return pages.get(pages.size() - 1);
        }

        /** Every catch-up and snapshot page received so far. */
        public List<Changes> pages() {
            return connection.sent(Changes.class).stream().filter(c -> c.mode() != ChangesMode.LIVE).toList();
        }

        /** Every live broadcast received so far. */
        public List<Changes> live() {
            return connection.sent(Changes.class).stream().filter(c -> c.mode() == ChangesMode.LIVE).toList();
        }

        public Change insert(String gid, long millis, Map<String, Object> row) {
            return change(Op.INSERT, gid, millis, row, List.of());
        }

        public Change update(String gid, long millis, Map<String, Object> row, String... changed) {
            return change(Op.UPDATE, gid, millis, row, List.of(changed));
        }

        public Change delete(String gid, long millis) {
            return change(Op.DELETE, gid, millis, Map.of(), List.of());
        }

        /** An insert into {@code table} (the others go to {@code items}). */
        public Change insertInto(String table, String gid, long millis, Map<String, Object> row) {
            return new Change(id + "-" + UUID.randomUUID(), table, gid, Op.INSERT, row, List.of(), Hlc.of(NOW_MILLIS + millis, 0), id);
        }

        public Change change(Op op, String gid, long millis, Map<String, Object> row, List<String> changed) {
            return new Change(id + "-" + UUID.randomUUID(), "items", gid, op, row, changed,
                    Hlc.of(NOW_MILLIS + millis, 0), id);
        }
    }

    /** A clock tests move by hand. */
    public static final class MutableClock extends Clock {
        private volatile Instant now;

        public MutableClock(Instant start) {
            this.now = start;
        }

        public void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public long millis() {
            return now.toEpochMilli();
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
