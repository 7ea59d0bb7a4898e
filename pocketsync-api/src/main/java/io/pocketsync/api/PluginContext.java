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
    /**
     * A stable id of this process (server node or device), used in logs and change feeds.
     *
     * @return the node id; never null
     */
    String nodeId();

    /**
     * The wall clock; tests may pass a controllable one.
     *
     * @return the clock; UTC system time by default
     */
    default Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * The codec registered under {@code name} ({@code json}, {@code cbor}, ...).
     *
     * @param name the codec's provider name
     * @return the codec
     * @throws PocketSyncException with {@link ErrorCode#PROVIDER_NOT_FOUND} when none has that name
     */
    Codec codec(String name);

    /**
     * Any other engine service by type, if this engine offers it.
     *
     * @param <T> the service type
     * @param type the service's class
     * @return the service, or empty when this engine has none of that type (the default)
     */
    default <T> Optional<T> service(Class<T> type) {
        return Optional.empty();
    }

    /**
     * Where a part reports that it stopped serving for good (a dead listener, an {@link OutOfMemoryError}): the
     * {@link FatalErrorHandler} service when the engine offers one, else {@link FatalErrorHandler#NONE}.
     *
     * @return the handler; never null
     */
    default FatalErrorHandler fatalErrors() {
        return service(FatalErrorHandler.class).orElse(FatalErrorHandler.NONE);
    }
}
