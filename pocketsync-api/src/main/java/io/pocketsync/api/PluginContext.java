package io.pocketsync.api;

import io.pocketsync.api.codec.Codec;
import java.time.Clock;
import java.util.Optional;

/**
 * Services the engine hands to a provider's {@code create(config, context)}. New services arrive
 * as default methods, so providers written against an older context keep working.
 *
 * <p>Implementations are thread-safe.
 */
public interface PluginContext {
    /** A stable id of this process (server node or device), used in logs and change feeds. */
    String nodeId();

    /** The wall clock; tests may pass a controllable one. */
    default Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * The codec registered under {@code name} ({@code json}, {@code cbor}, ...).
     *
     * @throws PocketSyncException with {@link ErrorCode#PROVIDER_NOT_FOUND} when none has that name
     */
    Codec codec(String name);

    /** Any other engine service by type, if this engine offers it. */
    default <T> Optional<T> service(Class<T> type) {
        return Optional.empty();
    }
}
