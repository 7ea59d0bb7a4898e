package io.pocketsync.testkit.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import io.pocketsync.testkit.transport.InMemoryNetwork;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * A device that speaks the protocol by hand over an {@link InMemoryNetwork}: it sends HELLO on every
 * connect, records every message the server sends, and offers blocking helpers (push and wait for the
 * ACK, pull and wait for the page). For server-engine tests that check the replies message by message,
 * with any store. Changes it builds go to table {@link #TABLE} with HLC wall time {@code base + millis}.
 *
 * <p>Thread-safe; helpers wait at most 10 seconds and fail with an Awaitility timeout.
 */
public final class RawClient implements AutoCloseable {
    /** The table of the changes this client builds. */
    public static final String TABLE = "items";

    private final String deviceId;
    private final long baseMillis;
    private final ClientTransport transport;
    private final List<Message> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger batches = new AtomicInteger();
    private final AtomicInteger changes = new AtomicInteger();

    private RawClient(String deviceId, long baseMillis, ClientTransport transport) {
        this.deviceId = deviceId;
        this.baseMillis = baseMillis;
        this.transport = transport;
    }

    /**
     * Connects and sends HELLO (again after every reconnect) with {@code cursor}; does not wait for the answer.
     *
     * @param network the network to connect through
     * @param scope the scope
     * @param deviceId the device id
     * @param token the token sent in HELLO
     * @param cursor the cursor sent in HELLO
     * @param baseMillis the wall time the HLCs of built changes count from (usually the server clock's now)
     * @return the client, connecting
     */
    public static RawClient connect(InMemoryNetwork network, String scope, String deviceId, String token, long cursor,
            long baseMillis) {
        requireNonNull(network, "network is null");
        ClientTransport transport = network.clientTransport();
        RawClient client = new RawClient(requireNonNull(deviceId, "deviceId is null"), baseMillis, transport);
        Hello hello = new Hello(ProtocolVersion.CURRENT, deviceId, scope, token, cursor, Hlc.of(baseMillis, 0));
        transport.start(new Endpoint(URI.create("mem://server"), scope, deviceId), new ClientTransport.Listener() {
            @Override
            public void onConnected() {
                transport.send(hello);
            }

            @Override
            public void onMessage(Message message) {
                client.received.add(message);
            }
        });
        return client;
    }

    /**
     * Connects and waits for WELCOME.
     *
     * @param network the network to connect through
     * @param scope the scope
     * @param deviceId the device id
     * @param token the token sent in HELLO
     * @param cursor the cursor sent in HELLO
     * @param baseMillis the wall time the HLCs of built changes count from
     * @return the welcomed client
     */
    public static RawClient welcomed(InMemoryNetwork network, String scope, String deviceId, String token, long cursor,
            long baseMillis) {
        RawClient client = connect(network, scope, deviceId, token, cursor, baseMillis);
        client.await(Welcome.class, welcome -> true);
        return client;
    }

    /**
     * This client's device id.
     *
     * @return the id
     */
    public String deviceId() {
        return deviceId;
    }

    /**
     * Every message received so far, in order.
     *
     * @return a copy
     */
    public List<Message> received() {
        return List.copyOf(received);
    }

    /**
     * The messages of one type received so far.
     *
     * @param <T> the message type
     * @param type the message class
     * @return the messages, in arrival order
     */
    public <T extends Message> List<T> received(Class<T> type) {
        return received.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /**
     * Waits for the first received message of {@code type} that matches.
     *
     * @param <T> the message type
     * @param type the message class
     * @param matching the condition
     * @return the message
     */
    public <T extends Message> T await(Class<T> type, Predicate<T> matching) {
        return waiting().until(() -> received(type).stream().filter(matching).findFirst().orElse(null),
                found -> found != null);
    }

    /**
     * The WELCOME (waits for it).
     *
     * @return the WELCOME
     */
    public Welcome welcome() {
        return await(Welcome.class, welcome -> true);
    }

    /**
     * Waits for an ERROR with {@code code}.
     *
     * @param code the expected code
     * @return the ERROR
     */
    public ErrorMessage awaitError(ErrorCode code) {
        return await(ErrorMessage.class, error -> error.code() == code);
    }

    /**
     * Sends any message.
     *
     * @param message the message
     */
    public void send(Message message) {
        transport.send(message);
    }

    /**
     * Pushes a batch and waits for its ACK.
     *
     * @param batch the changes
     * @return the ACK
     */
    public Ack push(Change... batch) {
        String batchId = sendPush(batch);
        return await(Ack.class, ack -> ack.batchId().equals(batchId));
    }

    /**
     * Pushes a batch under a new batch id and returns the id without waiting.
     *
     * @param batch the changes
     * @return the batch id
     */
    public String sendPush(Change... batch) {
        return sendPush(deviceId + "-b" + batches.incrementAndGet(), batch);
    }

    /**
     * Pushes a batch under {@code batchId} without waiting (a re-sent batch reuses its id).
     *
     * @param batchId the batch id
     * @param batch the changes
     * @return {@code batchId}
     */
    public String sendPush(String batchId, Change... batch) {
        send(new Push(ProtocolVersion.CURRENT, batchId, List.of(batch)));
        return batchId;
    }

    /**
     * Sends PULL and waits for the catch-up or snapshot page it gets.
     *
     * @param cursor the cursor to pull from
     * @param limit the most rows in the page
     * @return the page
     */
    public Changes pull(long cursor, int limit) {
        int before = pages().size();
        send(new Pull(ProtocolVersion.CURRENT, cursor, limit));
        waiting().until(() -> pages().size() > before);
        List<Changes> pages = pages();
        return pages.get(before);
    }

    /**
     * Pulls page after page from {@code cursor} until one has {@code more=false}; returns every page.
     *
     * @param cursor the cursor to pull from
     * @param limit the most rows per page
     * @return the pages, in order
     */
    public List<Changes> pullAll(long cursor, int limit) {
        List<Changes> pages = new ArrayList<>();
        long at = cursor;
        for (int guard = 0; guard < 10_000; guard++) {
            Changes page = pull(at, limit);
            pages.add(page);
            at = page.cursor();
            if (!page.hasMore()) {
                return pages;
            }
        }
        throw new AssertionError("catch-up did not end after 10000 pages");
    }

    /**
     * Every CATCH_UP and SNAPSHOT page received so far.
     *
     * @return the pages, in arrival order
     */
    public List<Changes> pages() {
        return received(Changes.class).stream().filter(c -> c.mode() != ChangesMode.LIVE).toList();
    }

    /**
     * Every LIVE broadcast received so far.
     *
     * @return the broadcasts, in arrival order
     */
    public List<Changes> live() {
        return received(Changes.class).stream().filter(c -> c.mode() == ChangesMode.LIVE).toList();
    }

    /**
     * An INSERT of {@link #TABLE} (see {@link #change}).
     *
     * @param globalId the row id
     * @param millis milliseconds after the client's base time
     * @param row the new image
     * @return the change
     */
    public Change insert(String globalId, long millis, Map<String, Object> row) {
        return change(Op.INSERT, globalId, millis, row, List.of());
    }

    /**
     * An UPDATE of {@link #TABLE} (see {@link #change}).
     *
     * @param globalId the row id
     * @param millis milliseconds after the client's base time
     * @param row the new image
     * @param changedColumns the columns it changed
     * @return the change
     */
    public Change update(String globalId, long millis, Map<String, Object> row, String... changedColumns) {
        return change(Op.UPDATE, globalId, millis, row, List.of(changedColumns));
    }

    /**
     * A DELETE of {@link #TABLE} (see {@link #change}).
     *
     * @param globalId the row id
     * @param millis milliseconds after the client's base time
     * @return the change
     */
    public Change delete(String globalId, long millis) {
        return change(Op.DELETE, globalId, millis, Map.of(), List.of());
    }

    /**
     * A change of {@link #TABLE} from this device with a fresh change id and HLC {@code (base + millis, 0)}.
     *
     * @param op insert, update or delete
     * @param globalId the row id
     * @param millis milliseconds after the client's base time
     * @param row the new image; empty for DELETE
     * @param changedColumns the columns an UPDATE changed
     * @return the change
     */
    public Change change(Op op, String globalId, long millis, Map<String, Object> row, List<String> changedColumns) {
        return changeIn(TABLE, op, globalId, millis, row, changedColumns);
    }

    /**
     * A change of any table.
     *
     * @param table the table
     * @param op insert, update or delete
     * @param globalId the row id
     * @param millis milliseconds after the client's base time
     * @param row the new image; empty for DELETE
     * @param changedColumns the columns an UPDATE changed
     * @return the change
     */
    public Change changeIn(String table, Op op, String globalId, long millis, Map<String, Object> row,
            List<String> changedColumns) {
        return new Change(deviceId + "-c" + changes.incrementAndGet(), table, globalId, op, row, changedColumns,
                Hlc.of(baseMillis + millis, 0), deviceId);
    }

    @Override
    public void close() {
        transport.close();
    }

    private static ConditionFactory waiting() {
        return Awaitility.await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(2));
    }
}
