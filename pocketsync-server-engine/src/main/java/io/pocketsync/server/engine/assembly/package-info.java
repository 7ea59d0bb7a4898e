/**
 * Assembling a server from configuration: {@link io.pocketsync.server.engine.assembly.ServerConfig} is the one
 * key set ({@code server.*}, {@code store.<name>.*}, {@code transport.<name>.*}, {@code auth.<name>.*},
 * {@code resolver.*}), {@link io.pocketsync.server.engine.assembly.ServerAssembly} builds the store,
 * authenticators, resolvers, engine and transports it names from {@link io.pocketsync.server.engine.assembly.ServerPlugins},
 * and {@link io.pocketsync.server.engine.assembly.PocketSyncServer} is the running result. The {@code pocketsync
 * server} command, the Guice {@code ServerEngineModule} and embedded servers all go through here, so one key
 * means one thing everywhere ({@code docs/configuration.md}).
 */
package io.pocketsync.server.engine.assembly;
