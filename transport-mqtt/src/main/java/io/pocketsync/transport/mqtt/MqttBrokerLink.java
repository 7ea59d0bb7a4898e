package io.pocketsync.transport.mqtt;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.FatalErrorHandler;
import io.pocketsync.api.Health;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server bridge's own MQTT client of the broker: connects with a persistent session (clean session off, so the
 * broker keeps the subscription and queues QoS 1 publishes while the bridge is away), subscribes to every device's up
 * topic, hands each publish to the inbound consumer, and says whether the broker is reachable. Paho reconnects by
 * itself; {@link #watchReconnect()} kicks it, or replaces the client, when its reconnect gets stuck. A
 * {@link VirtualMachineError} that Paho reports as a lost connection is fatal: the link is down for good and the
 * {@link FatalErrorHandler} is told.
 *
 * <p>Thread-safe: {@link #watchReconnect()} runs on the bridge's sweeper thread, Paho's callbacks on one thread of
 * Paho's, in arrival order.
 */
final class MqttBrokerLink {
    private static final Logger log = LoggerFactory.getLogger(MqttBrokerLink.class);
    private static final int CONNECT_TIMEOUT_SECONDS = 10;
    /** A connection lost this soon after it completed counts as taken over (see {@link #clientIdContested}). */
    private static final long QUICK_LOSS_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Quick losses in a row that make the bridge say its client id is contested. */
    private static final int CONTESTED_AFTER = 3;

    private final MqttServerConfig config;
    private final String clientId;
    private final String upFilter;
    private final FatalErrorHandler fatalErrors;
    private final BooleanSupplier closed;
    private final BiConsumer<String, byte[]> inbound;
    private volatile @Nullable MqttAsyncClient client;
    /** Why the broker connection was lost, for {@link #health()}; null while connected. */
    private volatile @Nullable String lostBecause;
    /** Set once a {@link VirtualMachineError} was seen: the bridge is down for good. */
    private volatile @Nullable Health fatal;
    /** {@link System#nanoTime()} when the broker connection was lost; {@code 0} while connected. */
    private volatile long lostSinceNanos;
    private volatile long stuckSinceNanos;
    /** {@link System#nanoTime()} when the broker connection last completed; {@code 0} before the first. */
    private volatile long connectedAtNanos;
    /** Connections the broker closed within {@link #QUICK_LOSS_NANOS} of completing, in a row (see {@link #clientIdContested}). */
    private volatile int quickLosses;
    private volatile boolean contestedTold;

    /**
     * @param upFilter the topic filter of every device's up topic
     * @param closed whether the bridge is closed (the watchdog then leaves the client alone)
     * @param inbound takes each publish (topic, payload) on Paho's callback thread; what it throws is logged
     */
    MqttBrokerLink(MqttServerConfig config, String clientId, String upFilter, FatalErrorHandler fatalErrors,
            BooleanSupplier closed, BiConsumer<String, byte[]> inbound) {
        this.config = requireNonNull(config, "config is null");
        this.clientId = requireNonNull(clientId, "clientId is null");
        this.upFilter = requireNonNull(upFilter, "upFilter is null");
        this.fatalErrors = requireNonNull(fatalErrors, "fatalErrors is null");
        this.closed = requireNonNull(closed, "closed is null");
        this.inbound = requireNonNull(inbound, "inbound is null");
    }

    /** Connects and subscribes, waiting for both; on failure the caller {@link #close()}s. */
    void connect() throws MqttException {
        MqttAsyncClient created = newClient();
        this.client = created;
        created.connect(options()).waitForCompletion(15_000);
        created.subscribe(upFilter, 1).waitForCompletion(15_000);
    }

    /** The current client (the watchdog may replace a stuck one); null before {@link #connect()}. */
    @Nullable MqttAsyncClient client() {
        return client;
    }

    /** The broker, without user info; empty before {@link #connect()}. */
    Optional<URI> address() {
        if (client == null) {
            return Optional.empty();
        }
        URI broker = URI.create(config.uri());
        String port = broker.getPort() < 0 ? "" : ":" + broker.getPort();
        return Optional.of(URI.create(broker.getScheme() + "://" + broker.getHost() + port));
    }

    /** Down while the broker connection is lost (Paho reconnects by itself), and for good after a fatal error. */
    Health health() {
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
                + (why == null ? "" : " (" + why + ")")
                + (clientIdContested() ? "; another MQTT client seems to use client id '" + clientId + "'" : "") + "; reconnecting");
    }

    /**
     * Whether the broker keeps closing this bridge right after it connects: {@value #CONTESTED_AFTER} times in a row
     * within 5 s of completing. A broker lets one client id connect once and drops the older connection when another
     * client connects with it, so two server nodes with the same {@code server.node-id} (or the same
     * {@code transport.mqtt.client-id}) on one broker take turns, each losing the other's connection, forever.
     */
    boolean clientIdContested() {
        return quickLosses >= CONTESTED_AFTER;
    }

    /** Disconnects (briefly waiting for it) and closes the client. */
    void close() {
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

    /**
     * Paho's automatic reconnect can get stuck after a broker restart: its attempt stays "in progress" for good
     * (seen for 30 s and more, past the connect timeout), so the bridge never comes back and every device's HELLO
     * goes unanswered. When the connection has been down for two reconnect periods, kick a reconnect; when the
     * attempt in progress outlives the connect timeout, replace the client (same client id, so the broker's
     * session is kept). Virtual connections publish through whichever client is current. Runs every
     * {@code reconnect-max-delay}.
     */
    void watchReconnect() {
        long since = lostSinceNanos;
        MqttAsyncClient current = client;
        long now = System.nanoTime();
        if (closed.getAsBoolean() || current == null || since == 0 || current.isConnected()
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
                        fresh.subscribe(upFilter, 1);
                        log.info("MQTT server bridge reconnected to {} with a new client", config.uri());
                    }
                    catch (MqttException e) {
                        log.warn("cannot subscribe to {}: {}", upFilter, e.toString());
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

    /** Paho callbacks: one thread, in arrival order. */
    private final class Callback implements MqttCallbackExtended {
        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            connectedAtNanos = Math.max(1, System.nanoTime());
            lostSinceNanos = 0;
            lostBecause = null;
            if (!reconnect) {
                return;
            }
            // a restarted broker without persistence forgot the subscription
            try {
                client.subscribe(upFilter, 1);
                log.info("MQTT server bridge reconnected to {}", serverUri);
            }
            catch (MqttException e) {
                log.warn("cannot re-subscribe to {}: {}", upFilter, e.toString());
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
            countQuickLoss();
        }

        private void countQuickLoss() {
            long connectedAt = connectedAtNanos;
            if (connectedAt == 0 || System.nanoTime() - connectedAt > QUICK_LOSS_NANOS) {
                quickLosses = 0;
                contestedTold = false;
                return;
            }
            quickLosses++;
            if (clientIdContested() && !contestedTold) {
                contestedTold = true;
                log.warn("CONFIG_INVALID: the broker {} closed this server's MQTT bridge {} times in a row within seconds of"
                        + " connecting: most likely another MQTT client connects with the same client id '{}' (two server"
                        + " nodes with the same server.node-id, or the same transport.mqtt.client-id, on one broker), and the"
                        + " broker drops the older connection each time. Give every node its own node id", config.uri(),
                        quickLosses, clientId);
            }
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            try {
                inbound.accept(topic, message.getPayload());
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
