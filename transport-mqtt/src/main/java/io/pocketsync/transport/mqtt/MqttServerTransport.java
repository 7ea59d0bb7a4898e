package io.pocketsync.transport.mqtt;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.FatalErrorHandler;
import io.pocketsync.api.Health;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.core.transport.Fragment;
import io.pocketsync.core.transport.FragmentAssembler;
import io.pocketsync.api.transport.ServerTransport;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of MQTT: an ordinary MQTT client of the broker that subscribes to
 * {@code {root}/+/+/up} (QoS 1, persistent session) and keeps one virtual {@link MqttConnection}
 * per (scope, device). Replies go to {@code {root}/{scope}/{device}/down}.
 *
 * <p>A HELLO always opens a fresh virtual connection (closing the previous one of that device), as a
 * socket reconnect would. A zero-length publish on the up topic (the device's goodbye and its last
 * will) closes it. Topics whose segments are not valid ids are ignored. A message over
 * {@code max-message-bytes} or one that does not decode is answered with ERROR and closes the virtual
 * connection. Encoding: a payload starting with <code>'&#123;'</code> is JSON, anything else CBOR; answers use
 * the device's encoding.
 *
 * <p>Several server nodes on one broker each receive every up message (plain subscription): ingest is
 * idempotent by change id, so a second node answers re-delivered changes DUPLICATE. See the README.
 *
 * <p>Health: down while the broker connection is lost (devices cannot reach the server through it); the bridge
 * reconnects by itself. An {@link VirtualMachineError} seen by Paho (it reports one as a lost connection) is fatal
 * and goes to the context's {@link FatalErrorHandler}.
 *
 * <p>Thread-safe. Messages are delivered on Paho's callback thread, in order.
 */
public final class MqttServerTransport implements ServerTransport {
    private static final Logger log = LoggerFactory.getLogger(MqttServerTransport.class);
    private static final int CONNECT_TIMEOUT_SECONDS = 10;

    private final MqttServerConfig config;
    private final MqttTopics topics;
    private final String clientId;
    private final Codec defaultCodec;
    private final Codec jsonCodec;
    private final Codec cborCodec;
    private final Map<MqttTopics.Address, MqttConnection> connections = new ConcurrentHashMap<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ScheduledExecutorService sweeper;
    private final FatalErrorHandler fatalErrors;
    private volatile MqttAsyncClient client;
    /** Why the broker connection was lost, for {@link #health()}; null while connected. */
    private volatile String lostBecause;
    /** Set once a {@link VirtualMachineError} was seen: the bridge is down for good. */
    private volatile Health fatal;
    private volatile Acceptor acceptor;
    /** {@link System#nanoTime()} when the broker connection was lost; {@code 0} while connected. */
    private volatile long lostSinceNanos;
    private volatile long stuckSinceNanos;

    /**
     * A transport not connected yet; {@link #start} connects to the broker.
     *
     * @param config the validated settings
     * @param context engine services (codecs)
     */
    public MqttServerTransport(MqttServerConfig config, PluginContext context) {
        this.config = requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        this.topics = new MqttTopics(config.topicRoot());
        this.clientId = config.clientId().orElse("pocketsync-server-" + context.nodeId());
        this.defaultCodec = context.codec(config.codec());
        this.jsonCodec = context.codec("json");
        this.cborCodec = context.codec("cbor");
        this.fatalErrors = context.fatalErrors();
        this.sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "pocketsync-mqtt-idle");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void start(Acceptor newAcceptor) {
        requireNonNull(newAcceptor, "acceptor is null");
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        this.acceptor = newAcceptor;
        try {
            MqttAsyncClient created = newClient();
            this.client = created;
            created.connect(options()).waitForCompletion(15_000);
            subscribe(created);
        }
        catch (MqttException e) {
            closeClient();
            throw new PocketSyncException(ErrorCode.TRANSPORT_CLOSED,
                    "cannot connect to MQTT broker " + config.uri() + ": " + e.getMessage(), e);
        }
        long sweepMillis = Math.max(1000, config.idleTimeout().toMillis() / 4);
        sweeper.scheduleWithFixedDelay(this::closeIdle, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        long watchMillis = config.reconnectMaxDelay().toMillis();
        sweeper.scheduleWithFixedDelay(this::watchReconnect, watchMillis, watchMillis, TimeUnit.MILLISECONDS);
        log.info("MQTT server bridge connected to {} as {}, listening on {}", config.uri(), clientId, topics.allUp());
    }

    private MqttAsyncClient newClient() throws MqttException {
        MqttAsyncClient created = new MqttAsyncClient(config.uri(), clientId, new MemoryPersistence());
        created.setCallback(new Callback());
        return created;
    }

    private MqttConnectOptions options() {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(false);
        options.setAutomaticReconnect(true);
        options.setMaxReconnectDelay((int) config.reconnectMaxDelay().toMillis());
        options.setKeepAliveInterval((int) config.keepAlive().toSeconds());
        options.setMaxInflight(config.maxInflight());
        options.setSocketFactory(NoDelaySocketFactory.forUri(config.uri()));
        options.setConnectionTimeout(CONNECT_TIMEOUT_SECONDS);
        config.username().ifPresent(options::setUserName);
        if (!config.password().isEmpty()) {
            options.setPassword(config.password().toCharArray());
        }
        return options;
    }

    /** The broker devices publish to, without user info. */
    @Override
    public Optional<URI> address() {
        if (client == null) {
            return Optional.empty();
        }
        URI broker = URI.create(config.uri());
        String port = broker.getPort() < 0 ? "" : ":" + broker.getPort();
        return Optional.of(URI.create(broker.getScheme() + "://" + broker.getHost() + port));
    }

    @Override
    public int connectionCount() {
        return connections.size();
    }

    /** Down while the broker connection is lost (the bridge reconnects by itself), and for good after a fatal error. */
    @Override
    public Health health() {
        if (closed.get()) {
            return Health.down("MQTT bridge closed");
        }
        Health failed = fatal;
        if (failed != null) {
            return failed;
        }
        MqttAsyncClient current = client;
        if (current == null) {
            return Health.down("MQTT bridge not started");
        }
        if (current.isConnected()) {
            return Health.ok();
        }
        long since = lostSinceNanos;
        String broker = address().map(URI::toString).orElse("?");
        String why = lostBecause;
        return Health.down("broker " + broker + " unreachable"
                + (since == 0 ? "" : " for " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since) + " s")
                + (why == null ? "" : " (" + why + ")") + "; reconnecting");
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        sweeper.shutdownNow();
        for (MqttConnection connection : connections.values()) {
            connection.closed();
        }
        connections.clear();
        closeClient();
        log.info("MQTT server bridge {} closed", clientId);
    }

    private void subscribe(MqttAsyncClient target) throws MqttException {
        target.subscribe(topics.allUp(), 1).waitForCompletion(15_000);
    }

    private void closeClient() {
        MqttAsyncClient current = client;
        if (current == null) {
            return;
        }
        try {
            if (current.isConnected()) {
                current.disconnect(2000).waitForCompletion(3000);
            }
        }
        catch (MqttException e) {
            log.debug("MQTT disconnect failed: {}", e.toString());
        }
        try {
            current.close(true);
        }
        catch (MqttException e) {
            log.debug("MQTT close failed: {}", e.toString());
        }
    }

    private void closeIdle() {
        long limit = System.nanoTime() - config.idleTimeout().toNanos();
        for (MqttConnection connection : connections.values()) {
            if (connection.lastSeenNanos() - limit < 0) {
                log.debug("closing idle {}", connection);
                // the device's broker connection may be alive (MQTT keep-alive is not protocol traffic): tell it
                // the session is gone, or it would wait forever for broadcasts and ACKs of a session we dropped
                connection.close(ErrorCode.HELLO_REQUIRED, "session closed after the idle timeout; send HELLO");
            }
        }
    }

    /**
     * Paho's automatic reconnect can get stuck after a broker restart: its attempt stays "in progress" for good
     * (seen for 30 s and more, past the connect timeout), so the bridge never comes back and every device's HELLO
     * goes unanswered. When the connection has been down for two reconnect periods, kick a reconnect; when the
     * attempt in progress outlives the connect timeout, replace the client (same client id, so the broker's
     * session is kept). Virtual connections publish through whichever client is current.
     */
    private void watchReconnect() {
        long since = lostSinceNanos;
        MqttAsyncClient current = client;
        long now = System.nanoTime();
        if (closed.get() || current == null || since == 0 || current.isConnected()
                || now - since < 2 * config.reconnectMaxDelay().toNanos()) {
            stuckSinceNanos = 0;
            return;
        }
        try {
            current.reconnect();
            stuckSinceNanos = 0;
            log.info("MQTT server bridge still away from {}; reconnecting now", config.uri());
        }
        catch (MqttException e) {
            if (e.getReasonCode() != MqttException.REASON_CODE_CONNECT_IN_PROGRESS) {
                log.debug("reconnect not started: {}", e.toString());
                return;
            }
            if (stuckSinceNanos == 0) {
                stuckSinceNanos = now;
            }
            else if (now - stuckSinceNanos > TimeUnit.SECONDS.toNanos(CONNECT_TIMEOUT_SECONDS + 2)) {
                replaceStuckClient(current);
            }
        }
    }

    private void replaceStuckClient(MqttAsyncClient stuck) {
        log.warn("MQTT server bridge: reconnect to {} stuck in progress; starting a new client", config.uri());
        stuckSinceNanos = 0;
        try {
            stuck.disconnectForcibly(0, 100, false);
        }
        catch (MqttException e) {
            log.debug("forced disconnect failed: {}", e.toString());
        }
        try {
            stuck.close(true);
        }
        catch (MqttException e) {
            log.debug("close of the stuck client failed: {}", e.toString());
        }
        try {
            MqttAsyncClient fresh = newClient();
            client = fresh;
            fresh.connect(options(), null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    lostSinceNanos = 0;
                    lostBecause = null;
                    try {
                        fresh.subscribe(topics.allUp(), 1);
                        log.info("MQTT server bridge reconnected to {} with a new client", config.uri());
                    }
                    catch (MqttException e) {
                        log.warn("cannot subscribe to {}: {}", topics.allUp(), e.toString());
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    log.debug("new client cannot connect yet: {}", String.valueOf(failure));
                    // lostSinceNanos stays set: the watchdog tries again (reconnect() on this client)
                }
            });
        }
        catch (MqttException e) {
            log.warn("cannot start a new MQTT client for {}: {}", config.uri(), e.toString());
        }
    }

    private void receive(String topic, byte[] payload) {
        MqttTopics.Address address = topics.parseUp(topic).orElse(null);
        if (address == null || closed.get()) {
            log.debug("ignoring a publish on topic {}", topic);
            return;
        }
        if (payload.length == 0) {
            MqttConnection gone = connections.get(address);
            if (gone != null) {
                gone.close(null, "device said goodbye");
            }
            return;
        }
        Codec codec = payload[0] == '{' ? jsonCodec : cborCodec;
        if (payload.length > config.maxMessageBytes()) {
            connectionFor(address, codec, false).close(ErrorCode.MESSAGE_TOO_LARGE,
                    "message of " + payload.length + " bytes exceeds the maximum of " + config.maxMessageBytes());
            return;
        }
        byte[] whole = payload;
        MqttConnection existing = connections.get(address);
        if (Fragment.isFragment(payload)) {
            if (existing == null) {
                log.debug("ignoring a fragment from {} before its HELLO", address);
                return;
            }
            FragmentAssembler.Whole rebuilt;
            try {
                rebuilt = existing.framing().receive(payload, false);
            }
            catch (PocketSyncException e) {
                existing.close(e.code(), e.getMessage());
                return;
            }
            if (rebuilt == null) {
                return;
            }
            whole = rebuilt.bytes();
            codec = rebuilt.textual() ? jsonCodec : cborCodec;
        }
        Message message;
        try {
            message = codec.decode(whole);
        }
        catch (PocketSyncException e) {
            connectionFor(address, codec, false).close(e.code(), e.getMessage());
            return;
        }
        catch (RuntimeException e) {
            log.warn("codec {} failed with a raw exception", codec.name(), e);
            connectionFor(address, codec, false).close(ErrorCode.MALFORMED_MESSAGE, "malformed message");
            return;
        }
        if (message instanceof Hello hello) {
            MqttConnection fresh = connectionFor(address, codec, true);
            fresh.framing().peer(0, hello.maxAssembledBytes());
            fresh.deliver(message);
            return;
        }
        MqttConnection connection = connectionFor(address, codec, false);
        if (whole == payload && connection.framing().assembling()) {
            connection.close(ErrorCode.MALFORMED_MESSAGE, "a whole " + message.type() + " arrived between the fragments of a message");
            return;
        }
        connection.deliver(message);
    }

    private MqttConnection connectionFor(MqttTopics.Address address, Codec codec, boolean fresh) {
        MqttConnection existing = connections.get(address);
        if (existing != null && fresh) {
            existing.close(null, "device said HELLO again");
            existing = null;
        }
        if (existing != null) {
            existing.useCodec(codec);
            return existing;
        }
        MqttConnection[] holder = new MqttConnection[1];
        MqttConnection created = new MqttConnection(() -> client, topics.down(address.scope(), address.device()),
                address.scope(), address.device(), codec, config.maxQueuedBytes(), config.maxQueuedMessages(),
                config.maxMessageBytes(),
                config.maxAssembledBytes(),
                () -> connections.remove(address, holder[0]));
        holder[0] = created;
        connections.put(address, created);
        try {
            created.open(acceptor.onOpen(created));
        }
        catch (RuntimeException e) {
            log.warn("acceptor failed for {}", created, e);
            created.close(ErrorCode.INTERNAL, "internal error");
        }
        return created;
    }

    /** Paho callbacks: one thread, in arrival order. */
    private final class Callback implements MqttCallbackExtended {
        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            lostSinceNanos = 0;
            lostBecause = null;
            if (!reconnect) {
                return;
            }
            // a restarted broker without persistence forgot the subscription
            try {
                client.subscribe(topics.allUp(), 1);
                log.info("MQTT server bridge reconnected to {}", serverUri);
            }
            catch (MqttException e) {
                log.warn("cannot re-subscribe to {}: {}", topics.allUp(), e.toString());
            }
        }

        @Override
        public void connectionLost(Throwable cause) {
            lostSinceNanos = Math.max(1, System.nanoTime());
            lostBecause = cause == null ? null : cause.toString();
            if (FatalErrorHandler.isVirtualMachineError(cause)) {
                // Paho turns an error of its own threads (an OutOfMemoryError) into a lost connection
                String detail = "MQTT server bridge to " + address().map(URI::toString).orElse("?") + " failed: " + cause;
                fatal = Health.down(detail);
                log.error("{}", detail, cause);
                fatalErrors.onFatal("mqtt", detail, cause);
                return;
            }
            log.warn("MQTT server bridge lost the broker ({}), reconnecting", cause == null ? "?" : cause.toString());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            try {
                receive(topic, message.getPayload());
            }
            catch (RuntimeException e) {
                // never let one message break Paho's callback thread (it would drop the connection)
                log.warn("failed to handle a publish on {}", topic, e);
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {}
    }
}
