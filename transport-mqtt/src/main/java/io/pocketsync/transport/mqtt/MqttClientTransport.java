package io.pocketsync.transport.mqtt;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Scoped;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import io.pocketsync.core.transport.MessageFraming;
import io.pocketsync.core.transport.ReconnectScheduler;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device side of MQTT: publishes to {@code {root}/{scope}/{device}/up} and subscribes to
 * {@code .../down}, one pair of topics per scope of the {@link Endpoint} (a {@link Scoped} message goes to its scope's
 * up topic, a message from another scope's down topic is handed on tagged with it), QoS 1, persistent session (clean session off, stable client id), so messages for
 * a device that is briefly offline wait at the broker (within its queue limits).
 *
 * <p>Reconnects itself with {@link io.pocketsync.api.transport.ReconnectPolicy} backoff ({@link ReconnectScheduler}) and calls
 * {@code onConnected} after every (re)connect. {@link #close} first publishes a zero-length goodbye
 * on the up topic (the same payload is the last will), so the server closes the device's virtual
 * connection. In-flight messages are kept in memory only: the engines re-send what was not acknowledged.
 *
 * <p>Thread-safe. Listener calls come from Paho's callback thread or the reconnect thread, one at a
 * time under one lock.
 */
public final class MqttClientTransport implements ClientTransport {
    private static final Logger log = LoggerFactory.getLogger(MqttClientTransport.class);

    private final MqttClientConfig config;
    private final PluginContext context;
    private final Codec codec;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object listenerLock = new Object();
    private final ReconnectScheduler reconnects;
    private volatile boolean connected;
    private volatile MqttAsyncClient client;
    private volatile IMqttToken connecting;
    private MqttTopics topics;
    private String upTopic;
    /** Per scope of the endpoint, its topics and its session's framing. */
    private MqttScopeTopics scopes;
    private Listener listener;
    private MqttDownDecoder down;
    /** Frames of the first scope's session: what the server's WELCOME allows, and fragments being rebuilt. */
    private final MessageFraming framing;

    /**
     * A transport not connected yet; {@link #start} connects.
     *
     * @param config the validated settings
     * @param context engine services (codecs, node id)
     */
    public MqttClientTransport(MqttClientConfig config, PluginContext context) {
        this.config = requireNonNull(config, "config is null");
        this.context = requireNonNull(context, "context is null");
        this.codec = context.codec(config.codec());
        this.reconnects = new ReconnectScheduler("pocketsync-mqtt-reconnect", config.reconnect(), this::connect);
        this.framing = new MessageFraming("MQTT server", config.maxMessageBytes(), config.maxAssembledBytes(), false);
    }

    @Override
    public void start(Endpoint endpoint, Listener newListener) {
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(newListener, "listener is null");
        String scheme = String.valueOf(endpoint.uri().getScheme()).toLowerCase(Locale.ROOT);
        if (!scheme.equals("tcp") && !scheme.equals("ssl")) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "MQTT transport needs a tcp:// or ssl:// URI: "
                    + endpoint.uri());
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        this.topics = new MqttTopics(config.topicRoot());
        this.upTopic = topics.up(endpoint.scope(), endpoint.deviceId());
        // protocol 3: each scope's session has its own pair of topics, so the broker's ACL confines each (docs/protocol.md 3.9)
        this.scopes = new MqttScopeTopics(topics, endpoint, framing,
                () -> new MessageFraming("MQTT server", config.maxMessageBytes(), config.maxAssembledBytes(), false));
        this.down = new MqttDownDecoder(scopes, config.maxMessageBytes(), context);
        this.listener = newListener;
        String clientId = config.clientId().orElse("ps:" + endpoint.scope() + ":" + endpoint.deviceId());
        try {
            MqttAsyncClient created = new MqttAsyncClient(endpoint.uri().toString(), clientId, new MemoryPersistence());
            created.setCallback(new Callback());
            this.client = created;
        }
        catch (MqttException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "cannot create MQTT client for " + endpoint.uri()
                    + ": " + e.getMessage(), e);
        }
        reconnects.connectNow();
    }

    @Override
    public boolean send(Message message) {
        requireNonNull(message, "message is null");
        MqttAsyncClient current = client;
        if (closed.get() || !connected || current == null) {
            return false;
        }
        String scope = scopes.scopeOf(message);
        String topic = scopes.upTopic(scope, message);
        if (topic == null) {
            log.warn("not sending {} of scope {}: this transport was started without it", message.type(), scope);
            return false;
        }
        byte[] payload = codec.encode(message);
        return scopes.framing(scope).send(payload, codec.textual(), message.type().name(), (frame, text) -> {
            try {
                current.publish(topic, frame, 1, false);
                return true;
            }
            catch (MqttException e) {
                log.debug("cannot publish {}: {}", message.type(), e.toString());
                return false;
            }
        });
    }

    @Override
    public int maxAssembledBytes() {
        return config.maxAssembledBytes();
    }

    @Override
    public boolean isConnected() {
        MqttAsyncClient current = client;
        return !closed.get() && connected && current != null && current.isConnected();
    }

    @Override
    public void reconnect() {
        MqttAsyncClient current = client;
        if (current == null || closed.get()) {
            return;
        }
        try {
            current.disconnect(1000).waitForCompletion(2000);
        }
        catch (MqttException e) {
            // e.g. a connect in progress: its own listener reports how it ends, and connect() below copes with it
            log.debug("disconnect failed: {}", e.toString());
        }
        lost(ErrorCode.TRANSPORT_CLOSED, "reconnect requested");
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        reconnects.close();
        MqttAsyncClient current = client;
        if (current == null) {
            return;
        }
        awaitConnectAttempt();
        try {
            if (current.isConnected()) {
                // the goodbye lets the server close the virtual connection now instead of at idle timeout
                for (String topic : scopes.upTopics()) {
                    current.publish(topic, new byte[0], 1, false).waitForCompletion(2000);
                }
                current.disconnect(1000).waitForCompletion(2000);
            }
        }
        catch (MqttException e) {
            log.debug("clean MQTT disconnect failed: {}", e.toString());
        }
        shut(current);
        connected = false;
    }

    /**
     * Paho refuses to close a client whose connect is in progress, and such a client would connect afterwards
     * with our client id and take the session over from the next transport of this device (same id): the broker
     * would hand it the device's messages, and its will would end the next transport's server session. So let the
     * attempt finish (bounded by the connect timeout) before closing.
     */
    private void awaitConnectAttempt() {
        IMqttToken attempt = connecting;
        if (attempt == null || attempt.isComplete()) {
            return;
        }
        try {
            attempt.waitForCompletion(config.connectTimeout().toMillis() + 1000);
        }
        catch (MqttException e) {
            log.debug("connect attempt ended: {}", e.toString());
        }
    }

    private static void shut(MqttAsyncClient current) {
        try {
            if (current.isConnected()) {
                current.disconnect(0).waitForCompletion(1000);
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

    private void connect() {
        MqttAsyncClient current = client;
        if (closed.get() || current == null) {
            return;
        }
        if (current.isConnected()) {
            // A reconnect() raced a connect in progress: that connect won, so report this connection as open
            // (again). Skipping it could leave the engine told "disconnected" about a live connection, forever.
            subscribe(current);
            return;
        }
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(false);
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval((int) config.keepAlive().toSeconds());
        options.setConnectionTimeout((int) Math.max(1, config.connectTimeout().toSeconds()));
        options.setMaxInflight(config.maxInflight());
        options.setSocketFactory(NoDelaySocketFactory.forUri(current.getServerURI()));
        // one will only (MQTT 3.1.1): the first scope's; the server drops the others' idle virtual connections in time
        options.setWill(upTopic, new byte[0], 1, false);
        config.username().ifPresent(options::setUserName);
        if (!config.password().isEmpty()) {
            options.setPassword(config.password().toCharArray());
        }
        try {
            connecting = current.connect(options, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    if (closed.get()) {
                        return; // close() waits for this attempt and then disconnects
                    }
                    subscribe(current);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    lost(ErrorCode.TRANSPORT_CLOSED, MqttConnectFailures.describe(current.getServerURI(), failure));
                }
            });
        }
        catch (MqttException e) {
            if (e.getReasonCode() == MqttException.REASON_CODE_CONNECT_IN_PROGRESS) {
                return; // the attempt in progress reports success or failure itself
            }
            lost(ErrorCode.TRANSPORT_CLOSED, MqttConnectFailures.describe(current.getServerURI(), e));
        }
    }

    private void subscribe(MqttAsyncClient current) {
        try {
            String[] downTopics = scopes.downTopics().toArray(String[]::new);
            int[] qos = new int[downTopics.length];
            java.util.Arrays.fill(qos, 1);
            current.subscribe(downTopics, qos, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    opened();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    log.warn("cannot subscribe to {}: {}", scopes.downTopics(), failure.toString());
                    dropAndRetry(current);
                }
            });
        }
        catch (MqttException e) {
            dropAndRetry(current);
        }
    }

    private void dropAndRetry(MqttAsyncClient current) {
        try {
            current.disconnect(0);
        }
        catch (MqttException e) {
            log.debug("disconnect failed: {}", e.toString());
        }
        lost(ErrorCode.TRANSPORT_CLOSED, "cannot subscribe");
    }

    private void opened() {
        synchronized (listenerLock) {
            if (closed.get()) {
                return;
            }
            connected = true;
            scopes.framings().forEach(MessageFraming::reset);
            reconnects.connected();
            try {
                listener.onConnected();
            }
            catch (RuntimeException e) {
                log.warn("listener failed on connect", e);
            }
        }
    }

    /**
     * The server closed our virtual connection (idle timeout, or a HELLO someone else sent on our topic) while
     * the broker connection stayed up. Over a socket the engine would see a close; here it learns it from
     * HELLO_REQUIRED, so report a disconnect and a connect: the engine says HELLO again and re-sends what is
     * pending. Called holding {@code listenerLock}.
     */
    private void sessionLost(ErrorMessage error) {
        log.info("the server has no session for this device ({}); starting a new one", error.code());
        scopes.framings().forEach(MessageFraming::reset);
        try {
            listener.onDisconnected(ErrorCode.HELLO_REQUIRED, "the server closed the session");
            listener.onConnected();
        }
        catch (RuntimeException e) {
            log.warn("listener failed on session restart", e);
        }
    }

    private void lost(ErrorCode code, String reason) {
        log.debug("disconnected: {}", reason);
        synchronized (listenerLock) {
            connected = false;
            if (closed.get()) {
                return;
            }
            try {
                listener.onDisconnected(code, reason);
            }
            catch (RuntimeException e) {
                log.warn("listener failed on disconnect", e);
            }
        }
        if (!closed.get()) {
            reconnects.retryLater();
        }
    }

    /** Paho callbacks, on its callback thread. */
    private final class Callback implements MqttCallback {
        @Override
        public void connectionLost(Throwable cause) {
            lost(ErrorCode.TRANSPORT_CLOSED, "connection to the broker lost: " + cause);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            Message decoded = down.decode(topic, message.getPayload());
            if (decoded == null) {
                return;
            }
            synchronized (listenerLock) {
                if (closed.get()) {
                    return;
                }
                try {
                    listener.onMessage(decoded);
                }
                catch (RuntimeException e) {
                    log.warn("listener failed on {}", decoded.type(), e);
                }
                if (Scoped.untagged(decoded) instanceof ErrorMessage error && error.code() == ErrorCode.HELLO_REQUIRED && connected) {
                    sessionLost(error);
                }
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {}
    }
}
