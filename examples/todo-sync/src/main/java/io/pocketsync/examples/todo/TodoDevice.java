package io.pocketsync.examples.todo;

import static java.util.Objects.requireNonNull;

import io.pocketsync.device.PocketSyncDevice;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;

/**
 * One device of the example: the app's {@link TodoList} on its own SQLite file, plus PocketSync
 * keeping that file in sync. {@link #goOffline()} and {@link #goOnline()} show that writes made
 * while disconnected are kept and pushed later.
 *
 * <p>Not thread-safe; driven by the example's main thread.
 */
final class TodoDevice implements AutoCloseable {
    private final String name;
    private final Path databaseFile;
    private final URI server;
    private final String scope;
    private final String token;
    private final TodoList todos;
    private final RemoteChangePrinter printer;
    private PocketSyncDevice sync;

    TodoDevice(String name, Path databaseFile, URI server, String scope, String token, PrintStream out) throws SQLException {
        this.name = requireNonNull(name, "name is null");
        this.databaseFile = requireNonNull(databaseFile, "databaseFile is null");
        this.server = requireNonNull(server, "server is null");
        this.scope = requireNonNull(scope, "scope is null");
        this.token = requireNonNull(token, "token is null");
        this.todos = new TodoList(databaseFile); // the app's table exists before PocketSync is pointed at it
        this.printer = new RemoteChangePrinter(name, out);
        goOnline();
    }

    /** Starts syncing: connects, pushes what was written meanwhile, catches up on what others wrote. */
    void goOnline() throws SQLException {
        if (sync != null) {
            return;
        }
        sync = PocketSyncDevice.builder()
                .database(databaseFile)
                .tables("todos")
                .server(server)
                .scope(scope)
                .token(token)
                .transport("websocket")
                .build();
        printer.startFrom(todos.all());
        sync.watchQuery(RemoteChangePrinter.QUERY, List.of(), printer);
        sync.start();
    }

    /** Stops syncing; the app keeps working on its database and every write is captured for later. */
    void goOffline() {
        if (sync != null) {
            sync.close();
            sync = null;
        }
    }

    String name() {
        return name;
    }

    /** The app's data, as it would use it with or without sync. */
    TodoList todos() {
        return todos;
    }

    /** Local writes the server has not acknowledged yet (0 when offline and nothing is known). */
    long pendingChanges() {
        return sync == null ? -1 : sync.pendingCount();
    }

    /** Every remote change reported by this device's watch, oldest first. */
    List<String> remoteEvents() {
        return printer.events();
    }

    @Override
    public void close() throws SQLException {
        goOffline();
        todos.close();
    }
}
