package io.pocketsync.examples.todo;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A todo list on two devices, a laptop and a phone, kept in sync through an embedded server.
 *
 * <p>Each device is an ordinary app writing to its own SQLite file with plain JDBC; PocketSync
 * captures those writes, pushes them, applies the other device's writes and reports them through a
 * watch. The run: add on one device, complete and delete on the other, write on both while the
 * phone is offline, reconnect, and show that both databases end identical.
 *
 * <p>Run it with {@code mvn -q -pl examples/todo-sync exec:java} (after {@code mvn -q install -DskipTests}).
 */
public final class TodoSyncExample {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** What a run ended with, for the test. */
    record Outcome(List<Todo> laptop, List<Todo> phone, List<String> laptopEvents, List<String> phoneEvents) {}

    private TodoSyncExample() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("pocketsync-todo-");
        System.out.println("databases in " + dir);
        run(dir, System.out);
    }

    /** Runs the whole scenario with the databases in {@code dir}. */
    static Outcome run(Path dir, PrintStream out) throws Exception {
        String scope = "alice";                          // one user, two devices
        String token = UUID.randomUUID().toString();     // the user's credential, known to the server

        try (EmbeddedSyncServer server = new EmbeddedSyncServer(dir.resolve("server.db"), scope, token);
                TodoDevice laptop = new TodoDevice("laptop", dir.resolve("laptop.db"), server.uri(), scope, token, out);
                TodoDevice phone = new TodoDevice("phone", dir.resolve("phone.db"), server.uri(), scope, token, out)) {
            out.println("server listening on " + server.uri());

            // Both online: each write shows up on the other device within milliseconds.
            String milk = laptop.todos().add("buy milk");
            awaitEvent(phone, "todo 'buy milk' added");
            String mom = phone.todos().add("call mom");
            awaitEvent(laptop, "todo 'call mom' added");
            phone.todos().complete(milk);
            awaitEvent(laptop, "todo 'buy milk' completed");
            laptop.todos().delete(mom);
            awaitEvent(phone, "todo 'call mom' deleted");

            // The phone goes offline; both keep writing.
            phone.goOffline();
            out.println("[phone] offline");
            laptop.todos().add("water plants");
            String rent = phone.todos().add("pay rent");
            phone.todos().complete(rent);

            // Back online: the phone pushes its offline writes and catches up on the laptop's.
            phone.goOnline();
            out.println("[phone] online again");
            awaitConverged(laptop, phone);

            out.println("both devices now hold:");
            laptop.todos().all().forEach(todo -> out.println("  [" + (todo.done() ? "x" : " ") + "] " + todo.title()));
            awaitEvent(phone, "todo 'water plants' added");
            awaitEvent(laptop, "todo 'pay rent' added");
            return new Outcome(laptop.todos().all(), phone.todos().all(), laptop.remoteEvents(), phone.remoteEvents());
        }
    }

    /** Waits until the device's watch has reported {@code event}. */
    private static void awaitEvent(TodoDevice device, String event) throws Exception {
        await(device.name() + " to see " + event, () -> device.remoteEvents().contains(event));
    }

    /** Waits until nothing is pending on either device and both hold the same todos. */
    private static void awaitConverged(TodoDevice a, TodoDevice b) throws Exception {
        await("the devices to converge", () -> a.pendingChanges() == 0 && b.pendingChanges() == 0
                && a.todos().all().equals(b.todos().all()));
    }

    /** A condition that may read the database. */
    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
