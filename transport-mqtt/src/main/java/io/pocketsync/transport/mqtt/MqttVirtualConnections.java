package io.pocketsync.transport.mqtt;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.transport.ServerTransport.Acceptor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server bridge's virtual connections, one {@link MqttConnection} per (scope, device) from its first message
 * until it says goodbye, says HELLO again (a fresh connection replaces it, as a socket reconnect would), idles out or
 * the bridge closes. Each new one is handed to the engine's {@link Acceptor}; it leaves the registry when it closes.
 *
 * <p>Thread-safe.
 */
final class MqttVirtualConnections {
    private static final Logger log = LoggerFactory.getLogger(MqttVirtualConnections.class);

    private final MqttTopics topics;
    private final MqttServerConfig config;
    private final Supplier<IMqttAsyncClient> client;
    private final Map<MqttTopics.Address, MqttConnection> connections = new ConcurrentHashMap<>();
    private volatile @Nullable Acceptor acceptor;

    /**
     * @param client the bridge's current broker client, which the connections publish through
     */
    MqttVirtualConnections(MqttTopics topics, MqttServerConfig config, Supplier<IMqttAsyncClient> client) {
        this.topics = requireNonNull(topics, "topics is null");
        this.config = requireNonNull(config, "config is null");
        this.client = requireNonNull(client, "client is null");
    }

    /** Sets the engine's acceptor, before the first message can arrive. */
    void acceptor(Acceptor newAcceptor) {
        this.acceptor = requireNonNull(newAcceptor, "acceptor is null");
    }

    int size() {
        return connections.size();
    }

    /** The open connection of a device, or null. */
    @Nullable MqttConnection get(MqttTopics.Address address) {
        return connections.get(address);
    }

    /**
     * The device's connection, opened (and handed to the acceptor) when it has none or when {@code fresh}; an
     * existing one takes the codec the device used last and counts as seen now.
     *
     * @param fresh a HELLO: the device's previous connection is closed and a new one opened
     */
    MqttConnection connectionFor(MqttTopics.Address address, Codec codec, boolean fresh) {
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
        MqttConnection created = new MqttConnection(client, topics.down(address.scope(), address.device()),
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

    /** Closes the connections that sent nothing for {@code idle-timeout}; the bridge's sweeper calls it. */
    void closeIdle() {
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

    /** Closes every connection without a word to its device (the bridge is closing). */
    void closeAll() {
        for (MqttConnection connection : connections.values()) {
            connection.closed();
        }
        connections.clear();
    }
}
