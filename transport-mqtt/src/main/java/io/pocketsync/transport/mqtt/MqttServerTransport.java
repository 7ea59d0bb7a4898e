package io.pocketsync.transport.mqtt;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.FatalErrorHandler;
import io.pocketsync.api.Health;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.transport.ServerTransport;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttException;
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
 * <p>The jobs are split: {@link MqttBrokerLink} is the broker connection (reconnects, health),
 * {@link MqttUpReceiver} turns up publishes into messages, {@link MqttVirtualConnections} keeps the connections. This
 * class wires them and owns their lifecycle.
 *
 * <p>Thread-safe. Messages are delivered on Paho's callback thread, in order.
 */
public final class MqttServerTransport implements ServerTransport {
    private static final Logger log = LoggerFactory.getLogger(MqttServerTransport.class);

    private final MqttServerConfig config;
    private final MqttTopics topics;
    private final String clientId;
    private final MqttVirtualConnections connections;
    private final MqttBrokerLink broker;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ScheduledExecutorService sweeper;

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
        // an unknown codec name fails here, at construction (answers use the codec each device used)
        context.codec(config.codec());
        // the connections publish through the link's client; the link is made last, from the receiver that needs them
        this.connections = new MqttVirtualConnections(topics, config, this::brokerClient);
        MqttUpReceiver receiver = new MqttUpReceiver(topics, config.maxMessageBytes(), context.codec("json"),
                context.codec("cbor"), connections, closed::get);
        this.broker = new MqttBrokerLink(config, clientId, topics.allUp(), context.fatalErrors(), closed::get,
                receiver::receive);
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
        connections.acceptor(newAcceptor);
        try {
            broker.connect();
        }
        catch (MqttException e) {
            broker.close();
            throw new PocketSyncException(ErrorCode.TRANSPORT_CLOSED,
                    "cannot connect to MQTT broker " + config.uri() + ": " + e.getMessage(), e);
        }
        long sweepMillis = Math.max(1000, config.idleTimeout().toMillis() / 4);
        sweeper.scheduleWithFixedDelay(connections::closeIdle, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        long watchMillis = config.reconnectMaxDelay().toMillis();
        sweeper.scheduleWithFixedDelay(broker::watchReconnect, watchMillis, watchMillis, TimeUnit.MILLISECONDS);
        log.info("MQTT server bridge connected to {} as {}, listening on {}", config.uri(), clientId, topics.allUp());
    }

    /** The broker devices publish to, without user info. */
    @Override
    public Optional<URI> address() {
        return broker.address();
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
        return broker.health();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        sweeper.shutdownNow();
        connections.closeAll();
        broker.close();
        log.info("MQTT server bridge {} closed", clientId);
    }

    /** The link's current client, for the connections to publish through (the link may replace a stuck one). */
    private MqttAsyncClient brokerClient() {
        return broker.client();
    }

    /** See {@link MqttBrokerLink#clientIdContested()}. */
    boolean clientIdContested() {
        return broker.clientIdContested();
    }
}
