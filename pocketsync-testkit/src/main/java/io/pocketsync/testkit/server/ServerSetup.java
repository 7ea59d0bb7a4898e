package io.pocketsync.testkit.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.conflict.ConflictResolver;
import java.time.Clock;
import java.util.Map;

/**
 * What a server-engine test asks the engine under test to be configured with. The test's subclass turns
 * it into a real server (the testkit does not depend on the engine).
 *
 * @param nodeId the server node id
 * @param tokens scope → the one static token that grants it
 * @param clock the server's wall clock (skew checks, HLC, retention)
 * @param defaultResolver the name of the default conflict resolver ({@code last-write-wins} or {@code field-merge})
 * @param tableResolvers resolvers for particular tables, overriding the default
 */
public record ServerSetup(String nodeId, Map<String, String> tokens, Clock clock, String defaultResolver,
        Map<String, ConflictResolver> tableResolvers) {
    /**
     * Validates the setup and copies its maps.
     *
     * @param nodeId the server node id
     * @param tokens scope → the one static token that grants it
     * @param clock the server's wall clock
     * @param defaultResolver the name of the default conflict resolver
     * @param tableResolvers resolvers for particular tables
     */
    public ServerSetup {
        requireNonNull(nodeId, "nodeId is null");
        tokens = Map.copyOf(requireNonNull(tokens, "tokens is null"));
        requireNonNull(clock, "clock is null");
        requireNonNull(defaultResolver, "defaultResolver is null");
        tableResolvers = Map.copyOf(requireNonNull(tableResolvers, "tableResolvers is null"));
    }
}
